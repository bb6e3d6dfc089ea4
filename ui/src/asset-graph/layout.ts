// The lineage layout: a pure function from nodes and edges to positions, so it can run in a Web
// Worker and be tested without a browser. Layered (Sugiyama-style) and close to linear:
//   1. longest-path layering (every edge goes to a later layer),
//   2. barycentric crossing reduction, a few sweeps down and up (no dummy nodes for long edges),
//   3. coordinate assignment in horizontal bands, one band per group, so group boxes never overlap.
// Everything is ordered by input order and ids only: the same input gives the same layout.

export interface LayoutNode {
  id: string;
  group: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  layerGap: number;
  nodeGap: number;
  groupGap: number;
  groupPadding: number;
  groupHeader: number;
  sweeps: number;
}

export interface PositionedNode {
  id: string;
  group: string;
  layer: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GroupBox {
  group: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  nodes: PositionedNode[];
  groups: GroupBox[];
  width: number;
  height: number;
}

export const DEFAULT_LAYOUT_OPTIONS: LayoutOptions = {
  nodeWidth: 220,
  nodeHeight: 64,
  layerGap: 80,
  nodeGap: 16,
  groupGap: 40,
  groupPadding: 16,
  groupHeader: 28,
  sweeps: 4,
};

interface Graph {
  parents: number[][];
  children: number[][];
}

function buildGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Graph {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const parents: number[][] = nodes.map(() => []);
  const children: number[][] = nodes.map(() => []);
  const seen = new Set<string>();
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    const k = `${a}>${b}`;
    if (seen.has(k)) continue;
    seen.add(k);
    parents[b].push(a);
    children[a].push(b);
  }
  return { parents, children };
}

/** Longest-path layers: sources on layer 0, every node one layer after its deepest parent.
 * Nodes on a cycle (the server refuses those, but be safe) are placed after what was reached. */
export function assignLayers(count: number, graph: Graph): number[] {
  const layer = new Array<number>(count).fill(0);
  const pending = graph.parents.map((p) => p.length);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (pending[i] === 0) queue.push(i);
  let done = 0;
  const visited = new Uint8Array(count);
  const drain = () => {
    while (done < queue.length) {
      const n = queue[done++];
      visited[n] = 1;
      for (const c of graph.children[n]) {
        if (layer[n] + 1 > layer[c]) layer[c] = layer[n] + 1;
        if (--pending[c] === 0) queue.push(c);
      }
    }
  };
  drain();
  for (let i = 0; i < count; i++) {
    if (!visited[i] && pending[i] > 0) {
      pending[i] = 0; // break the cycle here
      queue.push(i);
      drain();
    }
  }
  return layer;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups in depth-first order over the group-level lineage, starting from the groups that come
 * first (by first layer, then name): a group is placed right after the group that feeds it, so
 * connected bands sit next to each other. */
function groupOrder(nodes: readonly LayoutNode[], layer: number[], graph: Graph): string[] {
  const first = new Map<string, number>();
  nodes.forEach((n, i) => first.set(n.group, Math.min(first.get(n.group) ?? Infinity, layer[i])));
  const byFirst = (a: string, b: string) => first.get(a)! - first.get(b)! || compareIds(a, b);
  const next = new Map<string, Set<string>>();
  const hasParent = new Set<string>();
  nodes.forEach((n, i) => {
    for (const c of graph.children[i]) {
      const g = nodes[c].group;
      if (g === n.group) continue;
      if (!next.has(n.group)) next.set(n.group, new Set());
      next.get(n.group)!.add(g);
      hasParent.add(g);
    }
  });
  const all = [...first.keys()].sort(byFirst);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (g: string) => {
    const stack = [g];
    while (stack.length) {
      const cur = stack.pop()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      order.push(cur);
      const kids = [...(next.get(cur) ?? [])].filter((k) => !seen.has(k)).sort(byFirst);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
  };
  // Bigger lineages first: roots by how many assets their downstream groups hold.
  const size = new Map<string, number>();
  for (const n of nodes) size.set(n.group, (size.get(n.group) ?? 0) + 1);
  const reach = (root: string) => {
    const seenHere = new Set([root]);
    const stack = [root];
    let total = 0;
    while (stack.length) {
      const g = stack.pop()!;
      total += size.get(g) ?? 0;
      for (const k of next.get(g) ?? []) if (!seenHere.has(k)) (seenHere.add(k), stack.push(k));
    }
    return total;
  };
  const roots = all.filter((g) => !hasParent.has(g));
  const reached = new Map(roots.map((g) => [g, reach(g)]));
  roots.sort((a, b) => reached.get(b)! - reached.get(a)! || byFirst(a, b));
  for (const g of roots) visit(g);
  for (const g of all) visit(g);
  return order;
}

export function computeLayout(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  options: Partial<LayoutOptions> = {},
): Layout {
  const o = { ...DEFAULT_LAYOUT_OPTIONS, ...options };
  const count = nodes.length;
  const graph = buildGraph(nodes, edges);
  const layer = assignLayers(count, graph);
  const groups = groupOrder(nodes, layer, graph);
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const maxLayer = layer.reduce((m, l) => Math.max(m, l), 0);

  // buckets[g][l]: the nodes of group g on layer l, in their current order.
  const buckets: number[][][] = groups.map(() => Array.from({ length: maxLayer + 1 }, () => []));
  const order = nodes.map((_, i) => i).sort((a, b) => compareIds(nodes[a].id, nodes[b].id));
  for (const i of order) buckets[groupIndex.get(nodes[i].group)!][layer[i]].push(i);
  const capacity = buckets.map((byLayer) => byLayer.reduce((m, b) => Math.max(m, b.length), 0));
  const offset: number[] = [];
  capacity.reduce((sum, c, g) => ((offset[g] = sum), sum + c), 0);

  // rank: a global vertical order, group bands first, then the slot inside the bucket.
  const rank = new Float64Array(count);
  const slot = new Int32Array(count);
  const setRanks = (g: number, bucket: number[]) =>
    bucket.forEach((n, s) => {
      slot[n] = s;
      rank[n] = offset[g] + s + (capacity[g] - bucket.length) / 2;
    });
  buckets.forEach((byLayer, g) => byLayer.forEach((b) => setRanks(g, b)));

  const key = new Float64Array(count);
  const reorder = (l: number, neighbours: number[][]) => {
    buckets.forEach((byLayer, g) => {
      const bucket = byLayer[l];
      if (bucket.length < 2) return;
      for (const n of bucket) {
        const ns = neighbours[n];
        if (ns.length === 0) key[n] = rank[n];
        else {
          let s = 0;
          for (const m of ns) s += rank[m];
          key[n] = s / ns.length;
        }
      }
      bucket.sort((a, b) => key[a] - key[b] || slot[a] - slot[b]);
      setRanks(g, bucket);
    });
  };
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    for (let l = 1; l <= maxLayer; l++) reorder(l, graph.parents);
    for (let l = maxLayer - 1; l >= 0; l--) reorder(l, graph.children);
  }

  // Coordinates: x from the layer; y inside the group's band, pulled towards the parents' centre,
  // then pushed apart (forward pass) and back inside the band (backward pass): no overlaps.
  const step = o.nodeHeight + o.nodeGap;
  const colStep = o.nodeWidth + o.layerGap;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  const boxes: GroupBox[] = [];
  let bandTop = 0;
  groups.forEach((group, g) => {
    const top = bandTop + o.groupPadding + o.groupHeader;
    const bottom = top + capacity[g] * step - o.nodeGap;
    let minLayer = Infinity;
    let maxGroupLayer = -1;
    buckets[g].forEach((bucket, l) => {
      if (bucket.length === 0) return;
      minLayer = Math.min(minLayer, l);
      maxGroupLayer = Math.max(maxGroupLayer, l);
      const desired = bucket.map((n) => {
        const ps = graph.parents[n].filter((p) => nodes[p].group === group);
        if (ps.length === 0) return top + (rank[n] - offset[g]) * step;
        let s = 0;
        for (const p of ps) s += ys[p];
        return s / ps.length;
      });
      for (let s = 0; s < bucket.length; s++) {
        const floor = s === 0 ? top : ys[bucket[s - 1]] + step;
        ys[bucket[s]] = Math.max(desired[s], floor);
      }
      for (let s = bucket.length - 1; s >= 0; s--) {
        const ceiling = s === bucket.length - 1 ? bottom - o.nodeHeight : ys[bucket[s + 1]] - step;
        ys[bucket[s]] = Math.round(Math.min(ys[bucket[s]], ceiling));
      }
      for (const n of bucket) xs[n] = o.groupPadding + l * colStep;
    });
    const height = o.groupHeader + capacity[g] * step - o.nodeGap + 2 * o.groupPadding;
    boxes.push({
      group,
      x: minLayer * colStep,
      y: bandTop,
      width: (maxGroupLayer - minLayer) * colStep + o.nodeWidth + 2 * o.groupPadding,
      height,
    });
    bandTop += height + o.groupGap;
  });

  const positioned = nodes.map((n, i) => ({
    id: n.id,
    group: n.group,
    layer: layer[i],
    x: xs[i],
    y: ys[i],
    width: o.nodeWidth,
    height: o.nodeHeight,
  }));
  const width = (maxLayer + 1) * colStep - o.layerGap + 2 * o.groupPadding;
  return { nodes: positioned, groups: boxes, width: count ? width : 0, height: Math.max(0, bandTop - o.groupGap) };
}
