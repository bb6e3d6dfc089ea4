// Step timeline rows from a run's events: one row per step, one segment per attempt (a retry
// starts a new segment), skipped steps as markers. Pure, so it can be tested and recomputed on
// every new event.

export type StepEventType = "STEP_START" | "STEP_SUCCESS" | "STEP_FAILURE" | "STEP_UP_FOR_RETRY" | "STEP_SKIPPED";
export type SegmentStatus = "RUNNING" | "SUCCESS" | "FAILURE" | "RETRY" | "SKIPPED";

export interface StepEvent {
  eventType: string;
  timestamp: number;
  stepKey: string | null;
}

export interface Segment {
  start: number;
  end: number;
  status: SegmentStatus;
}

export interface GanttRow {
  stepKey: string;
  segments: Segment[];
  status: SegmentStatus;
}

export interface Gantt {
  rows: GanttRow[];
  start: number;
  end: number;
}

const ENDINGS: Record<string, SegmentStatus> = {
  STEP_SUCCESS: "SUCCESS",
  STEP_FAILURE: "FAILURE",
  STEP_UP_FOR_RETRY: "RETRY",
};

/** Rows ordered by their first event, then by step key. `now` closes attempts still running. */
export function ganttRows(events: readonly StepEvent[], now: number): Gantt {
  const rows = new Map<string, GanttRow & { first: number; open: number | null }>();
  let start = Infinity;
  let end = -Infinity;
  for (const e of events) {
    if (!e.stepKey) continue;
    const isStep = e.eventType === "STEP_START" || e.eventType === "STEP_SKIPPED" || e.eventType in ENDINGS;
    if (!isStep) continue;
    let row = rows.get(e.stepKey);
    if (!row) {
      row = { stepKey: e.stepKey, segments: [], status: "RUNNING", first: e.timestamp, open: null };
      rows.set(e.stepKey, row);
    }
    start = Math.min(start, e.timestamp);
    end = Math.max(end, e.timestamp);
    if (e.eventType === "STEP_START") {
      row.open = e.timestamp;
      row.status = "RUNNING";
    } else if (e.eventType === "STEP_SKIPPED") {
      row.segments.push({ start: e.timestamp, end: e.timestamp, status: "SKIPPED" });
      row.status = "SKIPPED";
    } else {
      const status = ENDINGS[e.eventType];
      row.segments.push({ start: row.open ?? e.timestamp, end: e.timestamp, status });
      row.open = null;
      row.status = status;
    }
  }
  for (const row of rows.values()) {
    if (row.open !== null) {
      row.segments.push({ start: row.open, end: Math.max(now, row.open), status: "RUNNING" });
      end = Math.max(end, now);
    }
  }
  const ordered = [...rows.values()].sort((a, b) => a.first - b.first || (a.stepKey < b.stepKey ? -1 : a.stepKey > b.stepKey ? 1 : 0));
  return {
    rows: ordered.map(({ stepKey, segments, status }) => ({ stepKey, segments, status })),
    start: ordered.length ? start : 0,
    end: ordered.length ? end : 0,
  };
}

/** Pixel position of a timestamp on a timeline `width` wide (a zero-length run still draws). */
export function timeToX(t: number, gantt: Gantt, width: number): number {
  const span = Math.max(gantt.end - gantt.start, 1e-6);
  return ((t - gantt.start) / span) * width;
}
