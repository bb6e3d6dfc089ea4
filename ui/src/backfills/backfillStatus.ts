// A backfill's per-partition run statuses → the ranges the partition status bar draws.
import type { PartitionStatus, StatusRange } from "../assets/statusBar";

export function partitionStatusOfRun(status: string): PartitionStatus {
  switch (status) {
    case "SUCCESS":
      return "MATERIALIZED";
    case "FAILURE":
      return "FAILED";
    case "QUEUED":
    case "STARTING":
    case "STARTED":
    case "CANCELING":
      return "IN_PROGRESS";
    default:
      return "MISSING";
  }
}

export function backfillRanges(partitions: readonly { partition: string; status: string }[]): StatusRange[] {
  const out: StatusRange[] = [];
  for (const p of partitions) {
    const status = partitionStatusOfRun(p.status);
    const last = out[out.length - 1];
    if (last && last.status === status) {
      last.count++;
      last.end = p.partition;
    } else out.push({ status, count: 1, start: p.partition, end: p.partition });
  }
  return out;
}
