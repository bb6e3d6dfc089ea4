// The lineage drawn on a canvas: only what is in the viewport is drawn, and far-out zoom levels
// draw nodes as plain rectangles and edges as one path, so 5,000 assets pan and zoom smoothly.
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, type Ref } from "react";
import type { Layout, LayoutEdge, PositionedNode } from "./layout";
import type { GraphAsset, NodeStatus } from "./graphNode";
import { GROUP_NODE_PREFIX, isEdgeHighlighted, type Highlight } from "./lineage";

export interface GraphCanvasHandle {
  fit: () => void;
  centerOn: (id: string) => void;
  zoomBy: (factor: number) => void;
}

interface Props {
  layout: Layout;
  edges: LayoutEdge[];
  assets: Map<string, GraphAsset>;
  groupSizes: Map<string, number>;
  highlight: Highlight | null;
  matched: Set<string> | null;
  onSelect: (id: string | null, additive: boolean) => void;
  onOpen: (id: string) => void;
  onToggleGroup: (group: string) => void;
  handle?: Ref<GraphCanvasHandle>;
}

interface View {
  scale: number;
  tx: number;
  ty: number;
}

interface Palette {
  bg: string;
  surface: string;
  border: string;
  text: string;
  muted: string;
  accent: string;
  edge: string;
  groupFill: string;
  status: Record<NodeStatus, string>;
}

function readPalette(): Palette {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string) => s.getPropertyValue(name).trim() || "#888";
  return {
    bg: v("--canvas-bg"),
    surface: v("--surface"),
    border: v("--border"),
    text: v("--text"),
    muted: v("--muted"),
    accent: v("--accent"),
    edge: v("--edge"),
    groupFill: v("--group-fill"),
    status: {
      materialized: v("--green"),
      partial: v("--yellow"),
      failed: v("--red"),
      running: v("--blue"),
      missing: v("--grey"),
      external: v("--purple"),
      loading: v("--border"),
    },
  };
}

const STATUS_LABEL: Record<NodeStatus, string> = {
  materialized: "Materialized",
  partial: "Partially materialized",
  failed: "Failed",
  running: "Running",
  missing: "Never materialized",
  external: "External",
  loading: "Loading status…",
};

const DETAIL_SCALE = 0.33;
const CELL = 600;

declare global {
  interface Window {
    // Read by the end-to-end tests and the browser benchmark (bench/ui).
    __assetgraphGraph?: {
      draws: number;
      drawMs: number[];
      firstDrawAt: number | null;
      nodes: number;
      view: () => View;
      locate: (id: string) => { x: number; y: number } | null;
    };
  }
}

export function GraphCanvas(props: Props) {
  const { layout, edges, assets, groupSizes, highlight, matched, onSelect, onOpen, onToggleGroup, handle } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const view = useRef<View>({ scale: 1, tx: 0, ty: 0 });
  const size = useRef({ w: 0, h: 0, dpr: 1 });
  const frame = useRef(0);
  const palette = useRef<Palette | null>(null);
  const textCache = useRef(new Map<string, string>());
  const fitted = useRef(false);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = highlight && highlight.selected.size === 1 ? [...highlight.selected][0] : null;

  const byId = useMemo(() => new Map(layout.nodes.map((n) => [n.id, n])), [layout]);
  const collapsedGroups = useMemo(
    () => new Set(layout.nodes.filter((n) => n.id.startsWith(GROUP_NODE_PREFIX)).map((n) => n.group)),
    [layout],
  );
  // x0, y0, x1, y1 of every edge (NaN when an end is not drawn).
  const edgeGeometry = useMemo(() => {
    const g = new Float64Array(edges.length * 4).fill(NaN);
    edges.forEach((e, i) => {
      const a = byId.get(e.from);
      const b = byId.get(e.to);
      if (!a || !b) return;
      g.set([a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2], i * 4);
    });
    return g;
  }, [edges, byId]);

  const grid = useMemo(() => {
    const g = new Map<string, PositionedNode[]>();
    for (const n of layout.nodes) {
      const x0 = Math.floor(n.x / CELL);
      const x1 = Math.floor((n.x + n.width) / CELL);
      const y0 = Math.floor(n.y / CELL);
      const y1 = Math.floor((n.y + n.height) / CELL);
      for (let x = x0; x <= x1; x++)
        for (let y = y0; y <= y1; y++) {
          const k = `${x},${y}`;
          if (!g.has(k)) g.set(k, []);
          g.get(k)!.push(n);
        }
    }
    return g;
  }, [layout]);

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    if (!canvas) return;
    const t0 = performance.now();
    const ctx = canvas.getContext("2d", { alpha: false })!;
    const p = (palette.current ??= readPalette());
    const { w, h, dpr } = size.current;
    const { scale, tx, ty } = view.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, w, h);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * tx, dpr * ty);
    const vx0 = -tx / scale;
    const vy0 = -ty / scale;
    const vx1 = vx0 + w / scale;
    const vy1 = vy0 + h / scale;
    const visible = (x: number, y: number, ww: number, hh: number) => x < vx1 && x + ww > vx0 && y < vy1 && y + hh > vy0;
    const detailed = scale >= DETAIL_SCALE;
    const lit = (id: string) => !highlight || highlight.selected.has(id) || highlight.upstream.has(id) || highlight.downstream.has(id);
    const isMatched = (id: string) => !matched || matched.has(id);

    // Group boxes (a collapsed group is drawn as its group node instead).
    ctx.lineWidth = 1 / scale;
    for (const g of layout.groups) {
      if (collapsedGroups.has(g.group) || !visible(g.x, g.y, g.width, g.height)) continue;
      ctx.fillStyle = p.groupFill;
      ctx.strokeStyle = p.border;
      roundRect(ctx, g.x, g.y, g.width, g.height, 10);
      ctx.fill();
      ctx.stroke();
      if (scale * 14 >= 6) {
        ctx.fillStyle = p.muted;
        ctx.font = "600 14px system-ui, sans-serif";
        ctx.textBaseline = "middle";
        ctx.fillText(`▾ ${g.group}`, g.x + 14, g.y + 22);
      }
    }

    // Edges: one path for the plain ones, then the highlighted ones on top. Endpoints are
    // precomputed per layout, so a frame does no lookups.
    const anyHighlight = !!highlight || !!matched;
    const strokeEdges = (lit: boolean) => {
      ctx.beginPath();
      for (let i = 0; i < edges.length; i++) {
        const o = i * 4;
        const x0 = edgeGeometry[o];
        if (Number.isNaN(x0)) continue;
        const y0 = edgeGeometry[o + 1];
        const x1 = edgeGeometry[o + 2];
        const y1 = edgeGeometry[o + 3];
        if (x0 > vx1 || x1 < vx0 || Math.max(y0, y1) < vy0 || Math.min(y0, y1) > vy1) continue;
        if (highlight && isEdgeHighlighted(edges[i], highlight) !== lit) continue;
        ctx.moveTo(x0, y0);
        if (detailed) {
          const mid = (x0 + x1) / 2;
          ctx.bezierCurveTo(mid, y0, mid, y1, x1, y1);
        } else ctx.lineTo(x1, y1);
      }
      ctx.stroke();
    };
    ctx.globalAlpha = anyHighlight ? 0.35 : 1;
    ctx.strokeStyle = p.edge;
    ctx.lineWidth = Math.max(1.2, 1 / scale);
    strokeEdges(false);
    ctx.globalAlpha = 1;
    if (highlight) {
      ctx.strokeStyle = p.accent;
      ctx.lineWidth = Math.max(2.5, 1.5 / scale);
      strokeEdges(true);
    }

    // Far out: nodes as rectangles, one fill per colour and dimming.
    if (!detailed) {
      const batches = new Map<string, PositionedNode[]>();
      for (const n of layout.nodes) {
        if (!visible(n.x, n.y, n.width, n.height)) continue;
        const asset = assets.get(n.id);
        const colour = asset ? p.status[asset.status] : p.accent;
        const k = `${colour}|${!lit(n.id) || !isMatched(n.id) ? 0.25 : 1}`;
        let batch = batches.get(k);
        if (!batch) batches.set(k, (batch = []));
        batch.push(n);
      }
      for (const [k, batch] of batches) {
        const [colour, alpha] = k.split("|");
        ctx.globalAlpha = Number(alpha);
        ctx.fillStyle = colour;
        ctx.beginPath();
        for (const n of batch) ctx.rect(n.x, n.y, n.width, n.height);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = p.accent;
      ctx.lineWidth = 4 / scale;
      for (const id of highlight?.selected ?? []) {
        const n = byId.get(id);
        if (n) ctx.strokeRect(n.x, n.y, n.width, n.height);
      }
    }

    // Nodes with their details.
    for (const n of detailed ? layout.nodes : []) {
      if (!visible(n.x, n.y, n.width, n.height)) continue;
      const isGroup = n.id.startsWith(GROUP_NODE_PREFIX);
      const dim = !isGroup && (!lit(n.id) || !isMatched(n.id));
      ctx.globalAlpha = dim ? 0.25 : 1;
      if (isGroup) {
        drawGroupNode(ctx, n, groupSizes.get(n.group) ?? 0, p, detailed);
      } else {
        const asset = assets.get(n.id);
        if (!asset) continue;
        drawNode(ctx, n, asset, p, textCache.current, highlight?.selected.has(n.id) ?? false, matched?.has(n.id) ?? false);
      }
    }
    ctx.globalAlpha = 1;
    const stats = (window.__assetgraphGraph ??= { draws: 0, drawMs: [], firstDrawAt: null, nodes: 0, view: () => view.current, locate: () => null });
    stats.locate = (id: string) => {
      const n = byId.get(id);
      const r = canvasRef.current?.getBoundingClientRect();
      if (!n || !r) return null;
      const v = view.current;
      return { x: r.left + v.tx + (n.x + n.width / 2) * v.scale, y: r.top + v.ty + (n.y + n.height / 2) * v.scale };
    };
    stats.draws++;
    stats.nodes = layout.nodes.length;
    stats.drawMs.push(performance.now() - t0);
    if (stats.drawMs.length > 2000) stats.drawMs.splice(0, 1000);
    if (stats.firstDrawAt === null && layout.nodes.length > 0) {
      stats.firstDrawAt = performance.now();
      performance.mark("assetgraph:graph-first-draw");
    }
  }, [layout, edges, edgeGeometry, assets, groupSizes, highlight, matched, byId, collapsedGroups]);

  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  const fit = useCallback(() => {
    const { w, h } = size.current;
    if (!w || !h || !layout.nodes.length) return;
    const pad = 40;
    const scale = Math.min((w - pad * 2) / Math.max(layout.width, 1), (h - pad * 2) / Math.max(layout.height, 1), 1);
    view.current = { scale, tx: (w - layout.width * scale) / 2, ty: (h - layout.height * scale) / 2 };
    schedule();
  }, [layout, schedule]);

  const centerOn = useCallback(
    (id: string) => {
      const n = byId.get(id);
      if (!n) return;
      const { w, h } = size.current;
      const scale = Math.max(view.current.scale, 0.8);
      view.current = { scale, tx: w / 2 - (n.x + n.width / 2) * scale, ty: h / 2 - (n.y + n.height / 2) * scale };
      schedule();
    },
    [byId, schedule],
  );

  const zoomAt = useCallback(
    (factor: number, cx: number, cy: number) => {
      const v = view.current;
      const scale = Math.min(3, Math.max(0.01, v.scale * factor));
      const k = scale / v.scale;
      view.current = { scale, tx: cx - (cx - v.tx) * k, ty: cy - (cy - v.ty) * k };
      schedule();
    },
    [schedule],
  );

  useImperativeHandle(handle, () => ({ fit, centerOn, zoomBy: (f) => zoomAt(f, size.current.w / 2, size.current.h / 2) }), [fit, centerOn, zoomAt]);

  // Size the canvas to its container.
  useEffect(() => {
    const el = containerRef.current;
    const canvas = canvasRef.current;
    if (!el || !canvas) return;
    const resize = () => {
      const r = el.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      size.current = { w: r.width, h: r.height, dpr };
      canvas.width = Math.round(r.width * dpr);
      canvas.height = Math.round(r.height * dpr);
      canvas.style.width = `${r.width}px`;
      canvas.style.height = `${r.height}px`;
      if (!fitted.current && layout.nodes.length) {
        fitted.current = true;
        fit();
      }
      schedule();
    };
    const ro = new ResizeObserver(resize);
    ro.observe(el);
    resize();
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const onScheme = () => {
      palette.current = null;
      schedule();
    };
    media.addEventListener("change", onScheme);
    return () => {
      ro.disconnect();
      media.removeEventListener("change", onScheme);
    };
  }, [fit, schedule, layout]);

  useEffect(() => {
    if (!fitted.current && size.current.w && layout.nodes.length) {
      fitted.current = true;
      fit();
    }
    schedule();
  }, [layout, schedule, fit]);

  useEffect(() => schedule(), [highlight, matched, schedule]);

  const toWorld = (clientX: number, clientY: number) => {
    const r = canvasRef.current!.getBoundingClientRect();
    const { scale, tx, ty } = view.current;
    return { x: (clientX - r.left - tx) / scale, y: (clientY - r.top - ty) / scale, sx: clientX - r.left, sy: clientY - r.top };
  };

  const hit = (clientX: number, clientY: number): { node?: PositionedNode; group?: string } => {
    const { x, y } = toWorld(clientX, clientY);
    for (const n of grid.get(`${Math.floor(x / CELL)},${Math.floor(y / CELL)}`) ?? []) {
      if (x >= n.x && x <= n.x + n.width && y >= n.y && y <= n.y + n.height) return { node: n };
    }
    for (const g of layout.groups) {
      if (collapsedGroups.has(g.group)) continue;
      if (x >= g.x && x <= g.x + g.width && y >= g.y && y <= g.y + 40) return { group: g.group };
    }
    return {};
  };

  const drag = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | null>(null);

  return (
    <div className="graph-canvas" ref={containerRef}>
      <canvas
        ref={canvasRef}
        tabIndex={0}
        role="img"
        aria-label={`Lineage graph of ${layout.nodes.length} assets`}
        data-testid="lineage-canvas"
        onPointerDown={(e) => {
          (e.target as HTMLElement).setPointerCapture(e.pointerId);
          drag.current = { x: e.clientX, y: e.clientY, tx: view.current.tx, ty: view.current.ty, moved: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          const dx = e.clientX - d.x;
          const dy = e.clientY - d.y;
          if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
          d.moved = true;
          view.current = { ...view.current, tx: d.tx + dx, ty: d.ty + dy };
          schedule();
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          if (!d || d.moved) return;
          const h = hit(e.clientX, e.clientY);
          if (h.node) onSelect(h.node.id.startsWith(GROUP_NODE_PREFIX) ? null : h.node.id, e.shiftKey || e.metaKey);
          else if (h.group) onToggleGroup(h.group);
          else onSelect(null, false);
        }}
        onDoubleClick={(e) => {
          const h = hit(e.clientX, e.clientY);
          if (h.node?.id.startsWith(GROUP_NODE_PREFIX)) onToggleGroup(h.node.group);
          else if (h.node) onOpen(h.node.id);
        }}
        onWheel={(e) => {
          const { sx, sy } = toWorld(e.clientX, e.clientY);
          if (e.ctrlKey || !e.shiftKey) zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), sx, sy);
          else {
            view.current = { ...view.current, tx: view.current.tx - e.deltaY };
            schedule();
          }
        }}
        onKeyDown={(e) => {
          const step = 80;
          const v = view.current;
          if (e.key === "Enter" && selectedRef.current) onOpen(selectedRef.current);
          else if (e.key === "Escape") onSelect(null, false);
          else if (e.key === "+" || e.key === "=") zoomAt(1.25, size.current.w / 2, size.current.h / 2);
          else if (e.key === "-") zoomAt(0.8, size.current.w / 2, size.current.h / 2);
          else if (e.key === "f") fit();
          else if (e.key.startsWith("Arrow")) {
            const dx = e.key === "ArrowLeft" ? step : e.key === "ArrowRight" ? -step : 0;
            const dy = e.key === "ArrowUp" ? step : e.key === "ArrowDown" ? -step : 0;
            view.current = { ...v, tx: v.tx + dx, ty: v.ty + dy };
            schedule();
          } else return;
          e.preventDefault();
        }}
      />
    </div>
  );
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function fitText(ctx: CanvasRenderingContext2D, cache: Map<string, string>, key: string, text: string, max: number): string {
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let out = text;
  if (ctx.measureText(text).width > max) {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText("…" + text.slice(text.length - mid)).width <= max) lo = mid;
      else hi = mid - 1;
    }
    out = "…" + text.slice(text.length - lo);
  }
  cache.set(key, out);
  return out;
}

function drawNode(
  ctx: CanvasRenderingContext2D,
  n: PositionedNode,
  a: GraphAsset,
  p: Palette,
  cache: Map<string, string>,
  selected: boolean,
  matched: boolean,
) {
  const colour = p.status[a.status];
  ctx.fillStyle = p.surface;
  roundRect(ctx, n.x, n.y, n.width, n.height, 8);
  ctx.fill();
  ctx.lineWidth = selected ? 3 : matched ? 2 : 1;
  ctx.strokeStyle = selected || matched ? p.accent : p.border;
  ctx.stroke();
  ctx.save();
  roundRect(ctx, n.x, n.y, n.width, n.height, 8);
  ctx.clip();
  ctx.fillStyle = colour;
  ctx.fillRect(n.x, n.y, 6, n.height);
  ctx.restore();

  const left = n.x + 16;
  const right = n.x + n.width - 10;
  let badges = 0;
  ctx.font = "600 11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const badge = (text: string, colourName: string) => {
    const w = ctx.measureText(text).width + 10;
    const x = right - badges - w;
    ctx.fillStyle = colourName;
    roundRect(ctx, x, n.y + 9, w, 16, 8);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.fillText(text, x + 5, n.y + 17.5);
    badges += w + 4;
  };
  if (a.checksFailed) badge(`✗${a.checksFailed}`, p.status.failed);
  if (a.checksWarned) badge(`!${a.checksWarned}`, p.status.partial);
  if (a.checksPassed) badge(`✓${a.checksPassed}`, p.status.materialized);

  ctx.fillStyle = p.text;
  ctx.font = "600 14px system-ui, sans-serif";
  ctx.fillText(fitText(ctx, cache, `n:${a.id}:${badges}`, a.name, right - left - badges - 4), left, n.y + 18);
  ctx.fillStyle = p.muted;
  ctx.font = "12px system-ui, sans-serif";
  const sub = a.kinds.length ? `${a.group} · ${a.kinds.join(", ")}` : a.group;
  ctx.fillText(fitText(ctx, cache, `g:${a.id}`, sub, right - left), left, n.y + 36);

  const y = n.y + 52;
  if (a.isPartitioned && a.total > 0) {
    const label = `${a.materialized.toLocaleString("en-US")}/${a.total.toLocaleString("en-US")}`;
    const lw = ctx.measureText(label).width;
    const barW = right - left - lw - 8;
    ctx.fillStyle = p.border;
    ctx.fillRect(left, y - 3, barW, 6);
    ctx.fillStyle = colour;
    ctx.fillRect(left, y - 3, barW * Math.min(1, a.materialized / a.total), 6);
    ctx.fillStyle = p.muted;
    ctx.fillText(label, right - lw, y);
  } else {
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(left + 4, y, 4, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = p.muted;
    ctx.fillText(STATUS_LABEL[a.status], left + 14, y);
  }
}

function drawGroupNode(ctx: CanvasRenderingContext2D, n: PositionedNode, count: number, p: Palette, detailed: boolean) {
  ctx.fillStyle = p.surface;
  roundRect(ctx, n.x, n.y, n.width, n.height, 12);
  ctx.fill();
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = p.accent;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.setLineDash([]);
  if (!detailed) return;
  ctx.textBaseline = "middle";
  ctx.fillStyle = p.text;
  ctx.font = "600 14px system-ui, sans-serif";
  ctx.fillText(`▸ ${n.group}`, n.x + 14, n.y + 22);
  ctx.fillStyle = p.muted;
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText(`${count.toLocaleString("en-US")} asset${count === 1 ? "" : "s"} · double-click to expand`, n.x + 14, n.y + 44);
}
