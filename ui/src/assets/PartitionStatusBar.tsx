// A partition status bar drawn on a canvas from range-encoded statuses: cost grows with the number
// of ranges and pixels, never with the number of partitions.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { formatCount } from "../app/format";
import { gql } from "../graphql/client";
import { rangeAt, rangesToSpans, type StatusRange } from "./statusBar";

export const PARTITION_STATUS_BAR_FRAGMENT = gql`
  fragment PartitionStatusBar on AssetNode {
    partitionStatusRanges {
      start
      end
      status
      count
    }
  }
`;

const COLOUR_VAR: Record<string, string> = {
  MATERIALIZED: "--green",
  FAILED: "--red",
  IN_PROGRESS: "--blue",
  MISSING: "--grey",
};

export function PartitionStatusBar({ ranges, height = 28, testId }: { ranges: readonly StatusRange[]; height?: number; testId?: string }) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ x: number; text: string } | null>(null);
  const [width, setWidth] = useState(0);

  // Measure before the first paint, so the bar is drawn in the same frame the page appears.
  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    setWidth(Math.floor(el.getBoundingClientRect().width));
  }, []);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.getBoundingClientRect().width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const c = canvas.current;
    if (!c || width <= 0) return;
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(document.documentElement);
    ctx.clearRect(0, 0, width, height);
    for (const span of rangesToSpans(ranges, width)) {
      ctx.fillStyle = style.getPropertyValue(COLOUR_VAR[span.status]).trim();
      ctx.fillRect(span.x, 0, span.width, height);
    }
    performance.measure("assetgraph:status-bar-draw", { start: t0, end: performance.now() });
    performance.mark("assetgraph:status-bar-drawn");
    c.dataset.drawn = "1";
  }, [ranges, width, height]);

  return (
    <div className="status-bar" ref={wrap} style={{ height }} data-testid={testId}>
      <canvas
        ref={canvas}
        style={{ width: "100%", height }}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const x = e.clientX - r.left;
          const at = rangeAt(ranges, r.width, x);
          if (!at) return setHover(null);
          const { range } = at;
          const keys = range.start === range.end ? range.start : `${range.start} … ${range.end}`;
          setHover({ x, text: `${keys}: ${range.status.toLowerCase().replace("_", " ")} (${formatCount(range.count)})` });
        }}
        onMouseLeave={() => setHover(null)}
      />
      {hover && (
        <div className="tooltip" style={{ left: Math.min(hover.x, width - 220) }}>
          {hover.text}
        </div>
      )}
    </div>
  );
}
