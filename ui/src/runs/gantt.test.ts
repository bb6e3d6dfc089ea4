import { describe, expect, it } from "vitest";
import { ganttRows, timeToX } from "./gantt";

const ev = (eventType: string, timestamp: number, stepKey: string | null) => ({ eventType, timestamp, stepKey });

describe("ganttRows", () => {
  it("makes one row per step with one segment per attempt", () => {
    const g = ganttRows(
      [
        ev("RUN_START", 0, null),
        ev("STEP_START", 1, "orders"),
        ev("STEP_UP_FOR_RETRY", 2, "orders"),
        ev("STEP_START", 3, "orders"),
        ev("STEP_SUCCESS", 5, "orders"),
        ev("STEP_START", 5, "report"),
        ev("STEP_FAILURE", 6, "report"),
        ev("STEP_SKIPPED", 6, "dashboard"),
      ],
      10,
    );
    expect(g.rows).toEqual([
      {
        stepKey: "orders",
        status: "SUCCESS",
        segments: [
          { start: 1, end: 2, status: "RETRY" },
          { start: 3, end: 5, status: "SUCCESS" },
        ],
      },
      { stepKey: "report", status: "FAILURE", segments: [{ start: 5, end: 6, status: "FAILURE" }] },
      { stepKey: "dashboard", status: "SKIPPED", segments: [{ start: 6, end: 6, status: "SKIPPED" }] },
    ]);
    expect([g.start, g.end]).toEqual([1, 6]);
  });

  it("closes a running step at now", () => {
    const g = ganttRows([ev("STEP_START", 100, "a")], 104);
    expect(g.rows[0]).toEqual({ stepKey: "a", status: "RUNNING", segments: [{ start: 100, end: 104, status: "RUNNING" }] });
    expect(g.end).toBe(104);
  });

  it("orders steps that start together by key and maps time to pixels", () => {
    const g = ganttRows([ev("STEP_START", 0, "b"), ev("STEP_START", 0, "a"), ev("STEP_SUCCESS", 10, "a"), ev("STEP_SUCCESS", 10, "b")], 0);
    expect(g.rows.map((r) => r.stepKey)).toEqual(["a", "b"]);
    expect(timeToX(5, g, 200)).toBe(100);
  });

  it("is empty without step events", () => {
    expect(ganttRows([ev("RUN_START", 0, null)], 1)).toEqual({ rows: [], start: 0, end: 0 });
  });
});
