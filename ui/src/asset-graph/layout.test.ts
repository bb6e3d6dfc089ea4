import { describe, expect, it } from "vitest";
import { computeLayout, type LayoutEdge, type LayoutNode } from "./layout";

// The benchmark's layered DAG (shared/notes/benchmarks.md): asset i in layer i // 20.
function layeredDag(n: number, groups = 1): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const name = (i: number) => `a${String(i).padStart(5, "0")}`;
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < n; i++) {
    const L = Math.floor(i / 20);
    const p = i % 20;
    nodes.push({ id: name(i), group: `g${i % groups}` });
    if (L === 0) continue;
    const k = 1 + (i % 3);
    for (let m = 0; m < k; m++) edges.push({ from: name((L - 1) * 20 + ((p + 3 * L + 7 * m) % 20)), to: name(i) });
  }
  return { nodes, edges };
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function assertNoOverlap(boxes: { x: number; y: number; width: number; height: number }[]) {
  const sorted = [...boxes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].x < sorted[i].x + sorted[i].width; j++) {
      expect(overlaps(sorted[i], sorted[j]), `${JSON.stringify(sorted[i])} overlaps ${JSON.stringify(sorted[j])}`).toBe(false);
    }
  }
}

describe("computeLayout", () => {
  it("puts a diamond on three layers with parents left of children", () => {
    const nodes = ["a", "b", "c", "d"].map((id) => ({ id, group: "default" }));
    const edges = [
      { from: "a", to: "b" },
      { from: "a", to: "c" },
      { from: "b", to: "d" },
      { from: "c", to: "d" },
    ];
    const layout = computeLayout(nodes, edges);
    expect(layout.nodes.map((n) => n.layer)).toEqual([0, 1, 1, 2]);
    const x = Object.fromEntries(layout.nodes.map((n) => [n.id, n.x]));
    expect(x.a).toBeLessThan(x.b);
    expect(x.b).toBe(x.c);
    expect(x.c).toBeLessThan(x.d);
  });

  it("uses longest-path layering: a skip edge does not pull the child up", () => {
    const nodes = ["a", "b", "c"].map((id) => ({ id, group: "g" }));
    const layout = computeLayout(nodes, [
      { from: "a", to: "b" },
      { from: "b", to: "c" },
      { from: "a", to: "c" },
    ]);
    expect(layout.nodes.map((n) => n.layer)).toEqual([0, 1, 2]);
  });

  it("respects every edge and overlaps no nodes on the 1,000-asset layered DAG", () => {
    const { nodes, edges } = layeredDag(1000, 3);
    const layout = computeLayout(nodes, edges);
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const e of edges) expect(byId.get(e.from)!.layer).toBeLessThan(byId.get(e.to)!.layer);
    for (const e of edges) expect(byId.get(e.from)!.x + byId.get(e.from)!.width).toBeLessThan(byId.get(e.to)!.x);
    assertNoOverlap(layout.nodes);
    assertNoOverlap(layout.groups);
  });

  it("keeps every node inside its group's box", () => {
    const { nodes, edges } = layeredDag(300, 4);
    const layout = computeLayout(nodes, edges);
    const boxes = new Map(layout.groups.map((g) => [g.group, g]));
    for (const n of layout.nodes) {
      const b = boxes.get(n.group)!;
      expect(n.x).toBeGreaterThanOrEqual(b.x);
      expect(n.y).toBeGreaterThanOrEqual(b.y);
      expect(n.x + n.width).toBeLessThanOrEqual(b.x + b.width);
      expect(n.y + n.height).toBeLessThanOrEqual(b.y + b.height);
    }
  });

  it("is deterministic and independent of edge order", () => {
    const { nodes, edges } = layeredDag(500, 2);
    const a = computeLayout(nodes, edges);
    const b = computeLayout(nodes, [...edges].reverse());
    expect(b).toEqual(a);
    expect(computeLayout(nodes, edges)).toEqual(a);
  });

  it("reduces crossings with barycentric sweeps", () => {
    // Two chains drawn crossed in id order: a1→b2, a2→b1; after sweeps they run straight.
    const nodes = ["a1", "a2", "b1", "b2"].map((id) => ({ id, group: "g" }));
    const edges = [
      { from: "a1", to: "b2" },
      { from: "a2", to: "b1" },
    ];
    const y = Object.fromEntries(computeLayout(nodes, edges).nodes.map((n) => [n.id, n.y]));
    expect(Math.sign(y.a1 - y.a2)).toBe(Math.sign(y.b2 - y.b1));
  });

  it("stacks a group right below the group that feeds it, bigger lineages first", () => {
    const nodes = [
      { id: "lonely", group: "aaa" },
      { id: "raw1", group: "raw" },
      { id: "raw2", group: "raw" },
      { id: "clean", group: "staging" },
    ];
    const edges = [
      { from: "raw1", to: "clean" },
      { from: "raw2", to: "clean" },
    ];
    const order = computeLayout(nodes, edges).groups.sort((a, b) => a.y - b.y).map((g) => g.group);
    expect(order).toEqual(["raw", "staging", "aaa"]);
  });

  it("survives a cycle, unknown endpoints and an empty graph", () => {
    expect(computeLayout([], []).nodes).toEqual([]);
    const nodes = ["a", "b"].map((id) => ({ id, group: "g" }));
    const layout = computeLayout(nodes, [
      { from: "a", to: "b" },
      { from: "b", to: "a" },
      { from: "a", to: "zzz" },
    ]);
    expect(layout.nodes).toHaveLength(2);
    assertNoOverlap(layout.nodes);
  });

  it("lays out 5,000 assets in well under a second", () => {
    const { nodes, edges } = layeredDag(5000, 5);
    const t0 = performance.now();
    const layout = computeLayout(nodes, edges);
    const elapsed = performance.now() - t0;
    expect(layout.nodes).toHaveLength(5000);
    expect(elapsed).toBeLessThan(5000);
  });
});
