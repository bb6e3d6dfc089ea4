import { describe, expect, it } from "vitest";
import { appendChunk, capturedSteps, EMPTY_LOG, formatBytes, nextReadDelay, type LogChunk } from "./capturedLogs";

const chunk = (data: string, start: number, more: Partial<LogChunk> = {}): LogChunk => ({
  data,
  start,
  cursor: String(start + new TextEncoder().encode(data).length),
  size: start + data.length,
  hasMore: false,
  isComplete: false,
  exists: true,
  ...more,
});

const ref = (stepKey: string, n = 1) => ({ stepKey, stdoutDownloadUrl: `/o/${stepKey}/${n}`, stderrDownloadUrl: `/e/${stepKey}/${n}` });

describe("capturedSteps", () => {
  it("lists each step once, in order, with its newest download links", () => {
    const steps = capturedSteps([{ capturedOutput: ref("a") }, { capturedOutput: null }, { capturedOutput: ref("b") }, { capturedOutput: ref("a", 2) }]);
    expect(steps).toEqual([ref("a", 2), ref("b")]);
  });
});

describe("appendChunk", () => {
  it("joins chunks and moves the cursor", () => {
    const one = appendChunk(EMPTY_LOG, chunk("hello\n", 0), 1000);
    const two = appendChunk(one, chunk("wörld\n", 6, { isComplete: true }), 1000);
    expect(two).toEqual({ text: "hello\nwörld\n", cursor: "13", truncated: false, size: 12, isComplete: true, exists: true });
  });

  it("marks a first read that started mid-file as truncated", () => {
    expect(appendChunk(EMPTY_LOG, chunk("tail\n", 500), 1000).truncated).toBe(true);
    const later = appendChunk(appendChunk(EMPTY_LOG, chunk("a\n", 0), 1000), chunk("b\n", 2), 1000);
    expect(later.truncated).toBe(false);
  });

  it("drops whole lines from the front past the limit", () => {
    let buf = EMPTY_LOG;
    for (let i = 0; i < 10; i++) buf = appendChunk(buf, chunk(`line ${i}\n`, i * 7), 20);
    expect(buf.text).toBe("line 8\nline 9\n");
    expect(buf.truncated).toBe(true);
  });

  it("cuts mid-line when one line is longer than the limit", () => {
    const buf = appendChunk(EMPTY_LOG, chunk("x".repeat(50), 0), 10);
    expect(buf.text).toBe("x".repeat(10));
  });
});

describe("nextReadDelay", () => {
  it("reads at once while bytes wait, tails while live, stops when complete", () => {
    expect(nextReadDelay(chunk("a", 0, { hasMore: true }), 1000)).toBe(0);
    expect(nextReadDelay(chunk("a", 0, { hasMore: true, isComplete: true }), 1000)).toBe(0);
    expect(nextReadDelay(chunk("", 1), 1000)).toBe(1000);
    expect(nextReadDelay(chunk("", 1, { isComplete: true }), 1000)).toBeNull();
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect([formatBytes(12), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(["12 B", "2.0 KiB", "3.0 MiB"]);
  });
});
