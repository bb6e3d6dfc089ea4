import { describe, expect, it } from "vitest";
import { indexIntervals, keyRangesWithStatus, rangeAt, rangesToSpans, type StatusRange } from "./statusBar";

describe("rangesToSpans", () => {
  it("maps ranges proportionally onto the bar", () => {
    const ranges: StatusRange[] = [
      { status: "MATERIALIZED", count: 50 },
      { status: "MISSING", count: 50 },
    ];
    expect(rangesToSpans(ranges, 100)).toEqual([
      { x: 0, width: 50, status: "MATERIALIZED" },
      { x: 50, width: 50, status: "MISSING" },
    ]);
  });

  it("covers the whole width with no gaps", () => {
    const ranges: StatusRange[] = [
      { status: "MATERIALIZED", count: 333 },
      { status: "FAILED", count: 1 },
      { status: "MISSING", count: 666 },
    ];
    const spans = rangesToSpans(ranges, 317);
    let x = 0;
    for (const s of spans) {
      expect(s.x).toBe(x);
      x += s.width;
    }
    expect(x).toBe(317);
  });

  it("keeps one failed partition among a million visible", () => {
    const ranges: StatusRange[] = [
      { status: "MATERIALIZED", count: 600_000 },
      { status: "FAILED", count: 1 },
      { status: "MATERIALIZED", count: 399_999 },
    ];
    const spans = rangesToSpans(ranges, 1000);
    const failed = spans.filter((s) => s.status === "FAILED");
    expect(failed).toEqual([{ x: 600, width: 1, status: "FAILED" }]);
  });

  it("merges adjacent ranges of one status", () => {
    const ranges: StatusRange[] = [
      { status: "MATERIALIZED", count: 10 },
      { status: "MATERIALIZED", count: 10 },
    ];
    expect(rangesToSpans(ranges, 20)).toEqual([{ x: 0, width: 20, status: "MATERIALIZED" }]);
  });

  it("draws a million alternating ranges in linear time", () => {
    const ranges: StatusRange[] = Array.from({ length: 1_000_000 }, (_, i) => ({
      status: i % 2 ? "MATERIALIZED" : "MISSING",
      count: 1,
    }));
    const t0 = performance.now();
    const spans = rangesToSpans(ranges, 1200);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(spans).toEqual([{ x: 0, width: 1200, status: "MISSING" }]);
  });

  it("gives nothing for an empty bar", () => {
    expect(rangesToSpans([], 100)).toEqual([]);
    expect(rangesToSpans([{ status: "MISSING", count: 3 }], 0)).toEqual([]);
  });
});

describe("rangeAt and indexIntervals", () => {
  const ranges: StatusRange[] = [
    { status: "MATERIALIZED", count: 10, start: "a", end: "j" },
    { status: "FAILED", count: 5, start: "k", end: "o" },
    { status: "MISSING", count: 5, start: "p", end: "t" },
  ];

  it("finds the range under a pixel", () => {
    expect(rangeAt(ranges, 200, 0)!.range.start).toBe("a");
    expect(rangeAt(ranges, 200, 110)!.range.start).toBe("k");
    expect(rangeAt(ranges, 200, 199)).toMatchObject({ index: 19, firstIndex: 15 });
  });

  it("lists failed and missing partitions as index intervals", () => {
    expect(indexIntervals(ranges, new Set(["FAILED", "MISSING"]))).toEqual([[10, 20]]);
    expect(indexIntervals(ranges, new Set(["MISSING"]))).toEqual([[15, 20]]);
  });
});

describe("keyRangesWithStatus", () => {
  it("merges adjacent failed and missing ranges into one key range", () => {
    const ranges: StatusRange[] = [
      { status: "MISSING", count: 2, start: "01", end: "02" },
      { status: "MATERIALIZED", count: 3, start: "03", end: "05" },
      { status: "FAILED", count: 1, start: "06", end: "06" },
      { status: "MISSING", count: 4, start: "07", end: "10" },
    ];
    expect(keyRangesWithStatus(ranges, new Set(["FAILED", "MISSING"]))).toEqual([
      { start: "01", end: "02", count: 2 },
      { start: "06", end: "10", count: 5 },
    ]);
    expect(keyRangesWithStatus(ranges, new Set(["MISSING"]))).toEqual([
      { start: "01", end: "02", count: 2 },
      { start: "07", end: "10", count: 4 },
    ]);
  });
});
