// A small line chart of one numeric metadata entry over materialisations (row counts and the like).
import { useMemo, useState } from "react";
import { formatTime, formatValue } from "../app/format";

export interface ChartPoint {
  timestamp: number;
  metadata: readonly { label: string; value?: unknown }[];
}

export function numericLabels(points: readonly ChartPoint[]): string[] {
  const labels = new Set<string>();
  for (const p of points) for (const m of p.metadata) if (typeof m.value === "number") labels.add(m.label);
  return [...labels].sort();
}

export function MetadataChart({ points }: { points: readonly ChartPoint[] }) {
  const labels = useMemo(() => numericLabels(points), [points]);
  const [label, setLabel] = useState<string | null>(null);
  const active = label && labels.includes(label) ? label : labels[0];
  const series = useMemo(
    () =>
      points
        .map((p) => ({ t: p.timestamp, v: p.metadata.find((m) => m.label === active)?.value }))
        .filter((p): p is { t: number; v: number } => typeof p.v === "number")
        .sort((a, b) => a.t - b.t),
    [points, active],
  );
  if (!labels.length) return <p className="muted">No numeric metadata to chart yet.</p>;
  const W = 640;
  const H = 160;
  const pad = { l: 56, r: 12, t: 12, b: 24 };
  const t0 = series[0]?.t ?? 0;
  const t1 = series[series.length - 1]?.t ?? 1;
  const vs = series.map((p) => p.v);
  let v0 = Math.min(...vs);
  let v1 = Math.max(...vs);
  if (v0 === v1) {
    v0 -= 1;
    v1 += 1;
  }
  const x = (t: number) => pad.l + (t1 === t0 ? (W - pad.l - pad.r) / 2 : ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - v0) / (v1 - v0)) * (H - pad.t - pad.b);
  const d = series.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
  return (
    <div className="chart">
      <div className="row">
        <label className="muted" htmlFor="chart-label">
          Metadata
        </label>
        <select id="chart-label" className="input" value={active} onChange={(e) => setLabel(e.target.value)}>
          {labels.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${active} over time`} className="chart-svg">
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} className="axis" />
        <text x={pad.l - 6} y={y(v1) + 4} textAnchor="end" className="tick">
          {formatValue(v1)}
        </text>
        <text x={pad.l - 6} y={y(v0) + 4} textAnchor="end" className="tick">
          {formatValue(v0)}
        </text>
        <text x={pad.l} y={H - 6} className="tick">
          {formatTime(t0)}
        </text>
        <text x={W - pad.r} y={H - 6} textAnchor="end" className="tick">
          {formatTime(t1)}
        </text>
        <path d={d} className="line" />
        {series.map((p, i) => (
          <circle key={i} cx={x(p.t)} cy={y(p.v)} r={3} className="point">
            <title>
              {formatTime(p.t)}: {formatValue(p.v)}
            </title>
          </circle>
        ))}
      </svg>
    </div>
  );
}
