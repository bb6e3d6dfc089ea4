// Computes the layout synchronously for small graphs and in a Web Worker for large ones; the
// previous layout stays on screen until the new one arrives.
import { useEffect, useRef, useState } from "react";
import { computeLayout, type Layout, type LayoutEdge, type LayoutNode } from "./layout";

const WORKER_THRESHOLD = 300;

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, (layout: Layout) => void>();

function layoutInWorker(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Layout> {
  if (!worker) {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module", name: "layout" });
    worker.onmessage = (e: MessageEvent<{ id: number; layout: Layout }>) => {
      pending.get(e.data.id)?.(e.data.layout);
      pending.delete(e.data.id);
    };
  }
  const id = ++nextId;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker!.postMessage({ id, nodes, edges });
  });
}

export function useLayout(nodes: LayoutNode[] | null, edges: LayoutEdge[] | null): { layout: Layout | null; computing: boolean } {
  const [layout, setLayout] = useState<Layout | null>(null);
  const [computing, setComputing] = useState(false);
  const generation = useRef(0);
  useEffect(() => {
    if (!nodes || !edges) return;
    const mine = ++generation.current;
    if (nodes.length < WORKER_THRESHOLD) {
      setLayout(computeLayout(nodes, edges));
      return;
    }
    setComputing(true);
    layoutInWorker(nodes, edges).then((l) => {
      if (mine !== generation.current) return;
      setLayout(l);
      setComputing(false);
    });
  }, [nodes, edges]);
  return { layout, computing };
}
