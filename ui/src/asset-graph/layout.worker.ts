// Runs the lineage layout off the main thread for large graphs.
import { computeLayout, type LayoutEdge, type LayoutNode, type LayoutOptions } from "./layout";

interface Request {
  id: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  options?: Partial<LayoutOptions>;
}

self.onmessage = (event: MessageEvent<Request>) => {
  const { id, nodes, edges, options } = event.data;
  const layout = computeLayout(nodes, edges, options);
  (self as unknown as Worker).postMessage({ id, layout });
};
