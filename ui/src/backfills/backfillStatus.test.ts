import { describe, expect, it } from "vitest";
import { backfillRanges } from "./backfillStatus";

describe("backfillRanges", () => {
  it("runs consecutive partitions of one status together", () => {
    expect(
      backfillRanges([
        { partition: "d1", status: "SUCCESS" },
        { partition: "d2", status: "SUCCESS" },
        { partition: "d3", status: "FAILURE" },
        { partition: "d4", status: "STARTED" },
        { partition: "d5", status: "QUEUED" },
        { partition: "d6", status: "NOT_STARTED" },
      ]),
    ).toEqual([
      { status: "MATERIALIZED", count: 2, start: "d1", end: "d2" },
      { status: "FAILED", count: 1, start: "d3", end: "d3" },
      { status: "IN_PROGRESS", count: 2, start: "d4", end: "d5" },
      { status: "MISSING", count: 1, start: "d6", end: "d6" },
    ]);
  });
});
