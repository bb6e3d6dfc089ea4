// The UI's only way to talk to the server: GraphQL over fetch. Mutations carry the header the
// server's CSRF rule asks for (assetgraph/server/security.py). Types come from generated.ts.

/** Tags a GraphQL document; interpolated fragments are appended once each. graphql-codegen reads
 * these templates to generate the operation types. */
export function gql(strings: TemplateStringsArray, ...fragments: string[]): string {
  let text = strings.raw.join("");
  const seen = new Set<string>();
  const collect = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    text += "\n" + f;
  };
  fragments.forEach(collect);
  // Fragments used by fragments arrive already appended to them; drop duplicate definitions.
  return dedupeFragments(text);
}

function dedupeFragments(text: string): string {
  const parts = text.split(/(?=\bfragment\s+\w+\s+on\b)/);
  const seen = new Set<string>();
  return parts
    .filter((part) => {
      const m = /^fragment\s+(\w+)/.exec(part);
      if (!m) return true;
      if (seen.has(m[1])) return false;
      seen.add(m[1]);
      return true;
    })
    .join("");
}

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export async function request<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-Assetgraph-Request": "1" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = await response.json();
  } catch {
    throw new GraphQLRequestError(`The server answered ${response.status} ${response.statusText}.`, response.status);
  }
  if (body.errors?.length) throw new GraphQLRequestError(body.errors.map((e) => e.message).join("\n"), response.status);
  if (!body.data) throw new GraphQLRequestError("The server sent no data.", response.status);
  return body.data;
}
