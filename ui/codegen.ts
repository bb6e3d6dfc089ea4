// TypeScript types for the schema and for every operation and fragment declared next to the
// components (`gql` tagged templates), generated from the checked-in schema.graphql.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "src/graphql/schema.graphql",
  documents: ["src/**/*.tsx", "src/**/*.ts", "!src/**/*.test.ts", "!src/graphql/generated.ts"],
  pluckConfig: { globalGqlIdentifierName: ["gql"], modules: [{ name: "./graphql/client", identifier: "gql" }] },
  generates: {
    "src/graphql/generated.ts": {
      plugins: ["typescript-operations"],
      config: {
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { JSON: "unknown" },
        skipTypename: true,
        preResolveTypes: true,
        useTypeImports: true,
      },
    },
  },
  hooks: {},
};
export default config;
