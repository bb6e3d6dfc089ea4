// Range-encoded partition status → pixel spans of the status bar. Works in O(ranges + width), so
// a million partitions in a handful of ranges draw at once. A pixel column that holds partitions
// of several statuses shows the most urgent one (failed, then in progress, then missing), so a
// single failed partition among a million stays visible.

export type PartitionStatus = "MATERIALIZED" | "FAILED" | "IN_PROGRESS" | "MISSING";

export interface StatusRange {
  status: PartitionStatus;
  count: number;
  start?: string;
  end?: string;
}

export interface Span {
  x: number;
  width: number;
  status: PartitionStatus;
}

const PRIORITY: Record<PartitionStatus, number> = { MATERIALIZED: 1, MISSING: 2, IN_PROGRESS: 3, FAILED: 4 };
const BY_PRIORITY: PartitionStatus[] = ["MATERIALIZED", "MATERIALIZED", "MISSING", "IN_PROGRESS", "FAILED"];

export function totalCount(ranges: readonly StatusRange[]): number {
  let total = 0;
  for (const r of ranges) total += r.count;
  return total;
}

/** Spans covering [0, width) exactly, adjacent spans of one status merged. Width is in whole pixels. */
export function rangesToSpans(ranges: readonly StatusRange[], width: number): Span[] {
  const total = totalCount(ranges);
  const w = Math.max(0, Math.floor(width));
  if (total === 0 || w === 0) return [];
  const column = new Uint8Array(w);
  let offset = 0;
  for (const r of ranges) {
    if (r.count <= 0) continue;
    const a = (offset / total) * w;
    const b = ((offset + r.count) / total) * w;
    offset += r.count;
    const first = Math.min(w - 1, Math.floor(a));
    const last = Math.max(first, Math.min(w - 1, Math.ceil(b) - 1));
    const p = PRIORITY[r.status];
    for (let x = first; x <= last; x++) if (column[x] < p) column[x] = p;
  }
  const spans: Span[] = [];
  let start = 0;
  for (let x = 1; x <= w; x++) {
    if (x === w || column[x] !== column[start]) {
      spans.push({ x: start, width: x - start, status: BY_PRIORITY[column[start]] });
      start = x;
    }
  }
  return spans;
}

/** The range under pixel `x` (for the hover tooltip), with the partition index it starts at. */
export function rangeAt(
  ranges: readonly StatusRange[],
  width: number,
  x: number,
): { range: StatusRange; index: number; firstIndex: number } | null {
  const total = totalCount(ranges);
  if (total === 0 || width <= 0) return null;
  const index = Math.min(total - 1, Math.max(0, Math.floor((x / width) * total)));
  let offset = 0;
  for (const r of ranges) {
    if (index < offset + r.count) return { range: r, index, firstIndex: offset };
    offset += r.count;
  }
  return null;
}

/** Indexes (in the definition's order) of the partitions whose status is in `statuses`, as
 * half-open [from, to) intervals. */
export function indexIntervals(ranges: readonly StatusRange[], statuses: ReadonlySet<PartitionStatus>): [number, number][] {
  const out: [number, number][] = [];
  let offset = 0;
  for (const r of ranges) {
    if (statuses.has(r.status) && r.count > 0) {
      const last = out[out.length - 1];
      if (last && last[1] === offset) last[1] = offset + r.count;
      else out.push([offset, offset + r.count]);
    }
    offset += r.count;
  }
  return out;
}

/** Runs of consecutive partitions whose status is in `statuses`, as inclusive key ranges (adjacent
 * ranges merged): what "missing only" or "failed and missing" backfills. */
export function keyRangesWithStatus(
  ranges: readonly StatusRange[],
  statuses: ReadonlySet<PartitionStatus>,
): { start: string; end: string; count: number }[] {
  const out: { start: string; end: string; count: number }[] = [];
  let previousMatched = false;
  for (const r of ranges) {
    const matches = statuses.has(r.status) && r.count > 0 && r.start !== undefined && r.end !== undefined;
    if (matches) {
      const last = out[out.length - 1];
      if (previousMatched && last) {
        last.end = r.end!;
        last.count += r.count;
      } else out.push({ start: r.start!, end: r.end!, count: r.count });
    }
    if (r.count > 0) previousMatched = matches;
  }
  return out;
}
