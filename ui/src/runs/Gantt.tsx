// The step timeline of a run, drawn from its step events.
import { formatDuration } from "../app/format";
import { timeToX, type Gantt } from "./gantt";

const ROW = 26;
const LABEL = 200;
const WIDTH = 900;

/** `onShowLogs`, when given, makes the labels of `stepsWithLogs` open that step's captured output. */
export function GanttChart({ gantt, stepsWithLogs, onShowLogs }: { gantt: Gantt; stepsWithLogs?: ReadonlySet<string>; onShowLogs?: (stepKey: string) => void }) {
  if (!gantt.rows.length) return <p className="muted">No step has started yet.</p>;
  const inner = WIDTH - LABEL - 16;
  const height = gantt.rows.length * ROW + 24;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <svg className="gantt" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Step timeline" data-testid="gantt">
      {ticks.map((f) => (
        <g key={f}>
          <line x1={LABEL + f * inner} x2={LABEL + f * inner} y1={0} y2={height - 20} className="grid" />
          <text x={LABEL + f * inner} y={height - 6} className="tick" textAnchor={f === 0 ? "start" : f === 1 ? "end" : "middle"}>
            +{formatDuration(f * (gantt.end - gantt.start))}
          </text>
        </g>
      ))}
      {gantt.rows.map((row, i) => (
        <g key={row.stepKey} transform={`translate(0 ${i * ROW})`}>
          {onShowLogs && stepsWithLogs?.has(row.stepKey) ? (
            <text x={LABEL - 8} y={ROW / 2 + 4} textAnchor="end" className="label has-logs" role="link" aria-label={`Captured output of ${row.stepKey}`} onClick={() => onShowLogs(row.stepKey)}>
              <title>Show the captured output of {row.stepKey}</title>
              {shortLabel(row.stepKey)}
            </text>
          ) : (
            <text x={LABEL - 8} y={ROW / 2 + 4} textAnchor="end" className="label">
              {shortLabel(row.stepKey)}
            </text>
          )}
          {row.segments.map((s, j) => {
            const x = LABEL + timeToX(s.start, gantt, inner);
            const w = Math.max(3, timeToX(s.end, gantt, inner) - timeToX(s.start, gantt, inner));
            return (
              <rect key={j} x={x} y={4} width={w} height={ROW - 8} rx={3} className={`seg seg-${s.status.toLowerCase()}`}>
                <title>
                  {row.stepKey}: {s.status.toLowerCase()} ({formatDuration(s.end - s.start)})
                </title>
              </rect>
            );
          })}
        </g>
      ))}
    </svg>
  );
}

function shortLabel(stepKey: string): string {
  return stepKey.length > 28 ? "…" + stepKey.slice(-27) : stepKey;
}
