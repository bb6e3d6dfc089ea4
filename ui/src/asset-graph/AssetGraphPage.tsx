// The home page: the lineage of every asset, with search, a selection box, group collapsing,
// lineage highlighting and materialisation.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ErrorBox, Loading, StatusTag } from "../app/components";
import { formatCount } from "../app/format";
import { assetPath, Link, navigate } from "../app/router";
import { useQuery } from "../app/useQuery";
import { MaterializeDialog } from "../assets/MaterializeDialog";
import { gql, request } from "../graphql/client";
import type { AssetGraphStatusQuery, AssetGraphStructureQuery, AssetSelectionQuery } from "../graphql/generated";
import { GraphCanvas, type GraphCanvasHandle } from "./GraphCanvas";
import { ASSET_GRAPH_STATUS_FRAGMENT, ASSET_GRAPH_STRUCTURE_FRAGMENT, selectionForKeys, toGraphAsset, type GraphAsset } from "./graphNode";
import type { LayoutEdge, LayoutNode } from "./layout";
import { buildAdjacency, collapseGroups, highlightFor } from "./lineage";
import { useLayout } from "./useLayout";

const ASSET_GRAPH_STRUCTURE_QUERY = gql`
  query AssetGraphStructure {
    assetNodes {
      ...AssetGraphStructure
    }
  }
  ${ASSET_GRAPH_STRUCTURE_FRAGMENT}
`;

const ASSET_GRAPH_STATUS_QUERY = gql`
  query AssetGraphStatus {
    assetNodes {
      ...AssetGraphStatus
    }
  }
  ${ASSET_GRAPH_STATUS_FRAGMENT}
`;

const ASSET_SELECTION_QUERY = gql`
  query AssetSelection($selection: String!) {
    assetNodes(selection: $selection) {
      id
    }
  }
`;

export function AssetGraphPage() {
  const { data, error, loading } = useQuery<AssetGraphStructureQuery>(ASSET_GRAPH_STRUCTURE_QUERY, {}, { pollMs: 60000 });
  // Statuses are asked for once the structure is on screen; big graphs poll them less often.
  const big = (data?.assetNodes.length ?? 0) > 1000;
  const statusQuery = useQuery<AssetGraphStatusQuery>(ASSET_GRAPH_STATUS_QUERY, {}, { pollMs: big ? 30000 : 5000, skip: !data });
  const statusData = statusQuery.data;
  const assets = useMemo(() => {
    if (!data) return [];
    const statuses = new Map((statusData?.assetNodes ?? []).map((s) => [s.id, s]));
    return data.assetNodes.map((n) => toGraphAsset(n, statuses.get(n.id)));
  }, [data, statusData]);
  const byId = useMemo(() => new Map(assets.map((a) => [a.id, a])), [assets]);

  // Layout input changes only when the structure does, not when statuses do.
  const structureKey = useMemo(() => assets.map((a) => `${a.id}|${a.group}|${a.parents.join(",")}`).join("\n"), [assets]);
  const allEdges = useMemo<LayoutEdge[]>(
    () => assets.flatMap((a) => a.parents.filter((p) => byId.has(p)).map((p) => ({ from: p, to: a.id }))),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [structureKey],
  );
  const adjacency = useMemo(() => buildAdjacency(byId.keys(), allEdges), [allEdges, byId]);

  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [selectionText, setSelectionText] = useState("");
  const [appliedSelection, setAppliedSelection] = useState<string | null>(null);
  const [matched, setMatched] = useState<Set<string> | null>(null);
  const [selectionError, setSelectionError] = useState<Error>();
  const [filter, setFilter] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [search, setSearch] = useState("");
  const [materialize, setMaterialize] = useState<{ selection: string; title: string } | null>(null);
  const canvas = useRef<GraphCanvasHandle>(null);

  const groupSizes = useMemo(() => {
    const m = new Map<string, number>();
    for (const a of assets) m.set(a.group, (m.get(a.group) ?? 0) + 1);
    return m;
  }, [assets]);
  const groups = useMemo(() => [...groupSizes.keys()].sort(), [groupSizes]);

  const graphInput = useMemo(() => {
    if (!data) return { nodes: null as LayoutNode[] | null, edges: null as LayoutEdge[] | null };
    let nodes: LayoutNode[] = assets.map((a) => ({ id: a.id, group: a.group }));
    let edges = allEdges;
    if (filter && matched) {
      nodes = nodes.filter((n) => matched.has(n.id));
      edges = edges.filter((e) => matched.has(e.from) && matched.has(e.to));
    }
    return collapseGroups(nodes, edges, collapsed);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [structureKey, collapsed, filter, matched, !!data]);
  const { layout, computing } = useLayout(graphInput.nodes, graphInput.edges);

  const highlight = useMemo(() => (selected.length ? highlightFor(selected, adjacency) : null), [selected, adjacency]);

  const applySelection = useCallback(async (text: string) => {
    const trimmed = text.trim();
    setSelectionError(undefined);
    if (!trimmed) {
      setMatched(null);
      setAppliedSelection(null);
      return;
    }
    try {
      const result = await request<AssetSelectionQuery>(ASSET_SELECTION_QUERY, { selection: trimmed });
      setMatched(new Set(result.assetNodes.map((n) => n.id)));
      setAppliedSelection(trimmed);
    } catch (e) {
      setSelectionError(e as Error);
    }
  }, []);

  // `/?select=...` (from an asset page's "Show in the lineage graph") applies a selection.
  useEffect(() => {
    const text = new URLSearchParams(location.search).get("select");
    if (text) {
      setSelectionText(text);
      void applySelection(text);
    }
  }, [applySelection]);

  const searchMatches = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!q) return [];
    return assets.filter((a) => a.name.toLowerCase().includes(q)).slice(0, 12);
  }, [search, assets]);

  const openAsset = useCallback((id: string) => {
    const a = byId.get(id);
    if (a) navigate(assetPath(a.path));
  }, [byId]);

  const focus = (a: GraphAsset) => {
    setSearch("");
    if (collapsed.has(a.group)) {
      const next = new Set(collapsed);
      next.delete(a.group);
      setCollapsed(next);
    }
    setSelected([a.id]);
    requestAnimationFrame(() => canvas.current?.centerOn(a.id));
  };

  const toggleGroup = (group: string) => {
    const next = new Set(collapsed);
    if (next.has(group)) next.delete(group);
    else next.add(group);
    setCollapsed(next);
  };

  const selectedAssets = selected.map((id) => byId.get(id)).filter((a): a is GraphAsset => !!a);
  const focusAsset = selectedAssets.length === 1 ? selectedAssets[0] : null;

  return (
    <div className="graph-page">
      <div className="toolbar">
        <div className="search">
          <input
            className="input"
            placeholder="Search assets"
            aria-label="Search assets"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && searchMatches[0]) focus(searchMatches[0]);
              if (e.key === "Escape") setSearch("");
            }}
          />
          {searchMatches.length > 0 && (
            <ul className="search-results" role="listbox">
              {searchMatches.map((a) => (
                <li key={a.id} role="option" aria-selected={false} onMouseDown={() => focus(a)}>
                  <span>{a.name}</span>
                  <span className="muted">{a.group}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <form
          className="selection-box"
          onSubmit={(e) => {
            e.preventDefault();
            void applySelection(selectionText);
          }}
        >
          <input
            className={`input mono${selectionError ? " invalid" : ""}`}
            placeholder='Selection: +key:orders, group:marts and kind:dbt, …'
            aria-label="Asset selection"
            value={selectionText}
            onChange={(e) => setSelectionText(e.target.value)}
            data-testid="selection-input"
          />
          <label className="toggle" title="Show only the selected assets">
            <input type="checkbox" checked={filter} onChange={(e) => setFilter(e.target.checked)} /> Filter
          </label>
          {appliedSelection && (
            <button
              type="button"
              className="button ghost"
              onClick={() => {
                setSelectionText("");
                void applySelection("");
              }}
            >
              Clear
            </button>
          )}
        </form>
        <div className="toolbar-actions">
          <button className="button" onClick={() => canvas.current?.fit()} title="Fit (f)">
            Fit
          </button>
          <button className="button" onClick={() => setCollapsed(collapsed.size ? new Set() : new Set(groups))} disabled={groups.length < 2}>
            {collapsed.size ? "Expand groups" : "Collapse groups"}
          </button>
          {appliedSelection && matched && (
            <button className="button" onClick={() => setMaterialize({ selection: appliedSelection, title: `Materialize ${appliedSelection}` })}>
              Materialize selection ({formatCount(matched.size)})
            </button>
          )}
          <button className="button primary" onClick={() => setMaterialize({ selection: "*", title: "Materialize all" })} disabled={!assets.length}>
            Materialize all
          </button>
        </div>
      </div>
      {selectionError && (
        <div className="banner error">
          <ErrorBox error={selectionError} />
        </div>
      )}
      <div className="graph-area">
        <ErrorBox error={error} title="Could not load the assets" />
        {loading && !data && <Loading label="Loading assets…" />}
        {data && assets.length === 0 && <div className="empty center">No assets yet: add some to a code location, then reload it on the Locations page.</div>}
        {layout && (
          <GraphCanvas
            handle={canvas}
            layout={layout}
            edges={graphInput.edges ?? []}
            assets={byId}
            groupSizes={groupSizes}
            highlight={highlight}
            matched={filter ? null : matched}
            onSelect={(id, additive) => setSelected(id ? (additive ? [...selected.filter((s) => s !== id), id] : [id]) : [])}
            onOpen={openAsset}
            onToggleGroup={toggleGroup}
          />
        )}
        {computing && <div className="graph-status">Laying out {formatCount(graphInput.nodes?.length ?? 0)} assets…</div>}
        <Legend count={assets.length} groups={groups.length} />
        {selectedAssets.length > 0 && (
          <aside className="side-panel" data-testid="side-panel">
            {focusAsset ? (
              <>
                <h2 className="side-title">{focusAsset.name}</h2>
                <p className="muted">
                  {focusAsset.group}
                  {focusAsset.kinds.length > 0 && ` · ${focusAsset.kinds.join(", ")}`}
                </p>
                <StatusTag status={focusAsset.status} />
                {focusAsset.isPartitioned && (
                  <p>
                    {formatCount(focusAsset.materialized)} of {formatCount(focusAsset.total)} partitions materialized
                  </p>
                )}
                <p className="muted">
                  {formatCount(highlight?.upstream.size ?? 0)} upstream · {formatCount(highlight?.downstream.size ?? 0)} downstream
                </p>
                <div className="button-row">
                  <Link className="button" to={assetPath(focusAsset.path)}>
                    Open
                  </Link>
                  {focusAsset.isExecutable && (
                    <button className="button primary" onClick={() => setMaterialize({ selection: selectionForKeys([focusAsset.name]), title: `Materialize ${focusAsset.name}` })}>
                      Materialize
                    </button>
                  )}
                </div>
                <button
                  className="link-button"
                  onClick={() => {
                    const text = `+${selectionForKeys([focusAsset.name])}+`;
                    setSelectionText(text);
                    void applySelection(text);
                  }}
                >
                  Select its lineage
                </button>
              </>
            ) : (
              <>
                <h2 className="side-title">{selectedAssets.length} assets selected</h2>
                <ul className="plain-list">
                  {selectedAssets.slice(0, 10).map((a) => (
                    <li key={a.id}>{a.name}</li>
                  ))}
                </ul>
                <button
                  className="button primary"
                  onClick={() => setMaterialize({ selection: selectionForKeys(selectedAssets.map((a) => a.name)), title: `Materialize ${selectedAssets.length} assets` })}
                >
                  Materialize selected
                </button>
              </>
            )}
          </aside>
        )}
      </div>
      {materialize && <MaterializeDialog selection={materialize.selection} title={materialize.title} onClose={() => setMaterialize(null)} />}
    </div>
  );
}

function Legend({ count, groups }: { count: number; groups: number }) {
  return (
    <div className="legend" aria-label="Legend">
      <span>
        {formatCount(count)} assets · {groups} group{groups === 1 ? "" : "s"}
      </span>
      <span className="dot materialized" /> materialized
      <span className="dot partial" /> partial
      <span className="dot failed" /> failed
      <span className="dot running" /> running
      <span className="dot missing" /> missing
      <span className="dot external" /> external
    </div>
  );
}
