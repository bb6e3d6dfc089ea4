// Builds the UI into the Python package (assetgraph/server/static), with fixed file names so that
// two builds of the same sources are byte-identical (scripts/check-ui-bundle compares them).
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const outDir = process.env.ASSETGRAPH_UI_OUT_DIR ?? resolve(import.meta.dirname, "../assetgraph/server/static");

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      output: {
        entryFileNames: "assets/[name].js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
  worker: {
    format: "es",
    rollupOptions: {
      output: {
        entryFileNames: "assets/[name].js",
        chunkFileNames: "assets/[name].js",
      },
    },
  },
  server: {
    // GraphQL (subscriptions over WebSocket too), run event streams and captured-log downloads go to
    // the server; the UI's own /runs/ID pages stay with Vite.
    proxy: {
      "/graphql": { target: "http://127.0.0.1:3000", ws: true },
      "/runs/": {
        target: "http://127.0.0.1:3000",
        bypass: (req) => (req.headers.accept?.includes("text/event-stream") || /^\/runs\/[^/]+\/logs\b/.test(req.url ?? "") ? undefined : req.url),
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
