import { describe, expect, it } from "vitest";
import { buildAdjacency, closure, collapseGroups, highlightFor, isEdgeHighlighted } from "./lineage";

const edges = [
  { from: "raw", to: "clean" },
  { from: "clean", to: "daily" },
  { from: "clean", to: "weekly" },
  { from: "daily", to: "report" },
  { from: "other", to: "report" },
];
const adjacency = buildAdjacency(["raw", "clean", "daily", "weekly", "report", "other"], edges);

describe("highlightFor", () => {
  it("lights up all ancestors and descendants of the clicked node", () => {
    const h = highlightFor(["daily"], adjacency);
    expect([...h.upstream].sort()).toEqual(["clean", "raw"]);
    expect([...h.downstream].sort()).toEqual(["report"]);
    expect(h.selected).toEqual(new Set(["daily"]));
  });

  it("does not include siblings reached only through a descendant", () => {
    const h = highlightFor(["daily"], adjacency);
    expect(h.upstream.has("other")).toBe(false);
    expect(h.downstream.has("weekly")).toBe(false);
  });

  it("highlights the edges of the lineage only", () => {
    const h = highlightFor(["daily"], adjacency);
    const lit = edges.filter((e) => isEdgeHighlighted(e, h)).map((e) => `${e.from}>${e.to}`);
    expect(lit).toEqual(["raw>clean", "clean>daily", "daily>report"]);
  });

  it("closure respects depth", () => {
    expect([...closure(["raw"], adjacency.children, 1)]).toEqual(["clean"]);
    expect([...closure(["raw"], adjacency.children, 2)].sort()).toEqual(["clean", "daily", "weekly"]);
  });
});

describe("collapseGroups", () => {
  it("replaces a collapsed group by one node and merges its edges", () => {
    const nodes = [
      { id: "a", group: "raw" },
      { id: "b", group: "raw" },
      { id: "c", group: "marts" },
    ];
    const result = collapseGroups(
      nodes,
      [
        { from: "a", to: "b" },
        { from: "a", to: "c" },
        { from: "b", to: "c" },
      ],
      new Set(["raw"]),
    );
    expect(result.nodes).toEqual([
      { id: "group:raw", group: "raw" },
      { id: "c", group: "marts" },
    ]);
    expect(result.edges).toEqual([{ from: "group:raw", to: "c" }]);
  });
});
