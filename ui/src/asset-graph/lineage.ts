// Pure helpers over the lineage: adjacency, upstream/downstream closures for highlighting, and
// collapsing groups into single nodes before layout.
import type { LayoutEdge, LayoutNode } from "./layout";

export interface Adjacency {
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function buildAdjacency(ids: Iterable<string>, edges: readonly LayoutEdge[]): Adjacency {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const id of ids) {
    parents.set(id, []);
    children.set(id, []);
  }
  for (const e of edges) {
    if (!parents.has(e.to) || !children.has(e.from)) continue;
    parents.get(e.to)!.push(e.from);
    children.get(e.from)!.push(e.to);
  }
  return { parents, children };
}

/** Every node reachable from `start` through `next`, excluding the start nodes themselves
 * (unless reached again through a path, which cannot happen in a DAG). */
export function closure(start: Iterable<string>, next: Map<string, string[]>, depth = Infinity): Set<string> {
  const found = new Set<string>();
  let frontier = [...start];
  const origin = new Set(frontier);
  for (let d = 0; d < depth && frontier.length; d++) {
    const nextFrontier: string[] = [];
    for (const id of frontier) {
      for (const m of next.get(id) ?? []) {
        if (found.has(m) || origin.has(m)) continue;
        found.add(m);
        nextFrontier.push(m);
      }
    }
    frontier = nextFrontier;
  }
  return found;
}

export interface Highlight {
  selected: Set<string>;
  upstream: Set<string>;
  downstream: Set<string>;
}

/** What the graph lights up when `selected` nodes are clicked: them, their ancestors and descendants. */
export function highlightFor(selected: Iterable<string>, adjacency: Adjacency): Highlight {
  const sel = new Set(selected);
  return {
    selected: sel,
    upstream: closure(sel, adjacency.parents),
    downstream: closure(sel, adjacency.children),
  };
}

/** Whether an edge belongs to the highlighted lineage (both ends in it and in the same direction). */
export function isEdgeHighlighted(edge: LayoutEdge, h: Highlight): boolean {
  const up = (id: string) => h.upstream.has(id) || h.selected.has(id);
  const down = (id: string) => h.downstream.has(id) || h.selected.has(id);
  return (up(edge.from) && up(edge.to) && !h.downstream.has(edge.to)) || (down(edge.from) && down(edge.to) && !h.upstream.has(edge.from));
}

export const GROUP_NODE_PREFIX = "group:";

/** Replace the nodes of each collapsed group by one node `group:<name>`; edges inside a collapsed
 * group vanish and edges crossing its border attach to the group node (deduplicated). */
export function collapseGroups(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  collapsed: ReadonlySet<string>,
): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  if (collapsed.size === 0) return { nodes: [...nodes], edges: [...edges] };
  const rep = new Map<string, string>();
  const out: LayoutNode[] = [];
  const added = new Set<string>();
  for (const n of nodes) {
    if (collapsed.has(n.group)) {
      const id = GROUP_NODE_PREFIX + n.group;
      rep.set(n.id, id);
      if (!added.has(id)) {
        added.add(id);
        out.push({ id, group: n.group });
      }
    } else {
      rep.set(n.id, n.id);
      out.push(n);
    }
  }
  const seen = new Set<string>();
  const outEdges: LayoutEdge[] = [];
  for (const e of edges) {
    const from = rep.get(e.from);
    const to = rep.get(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const k = `${from}\u0000${to}`;
    if (seen.has(k)) continue;
    seen.add(k);
    outEdges.push({ from, to });
  }
  return { nodes: out, edges: outEdges };
}
