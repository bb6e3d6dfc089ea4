// Captured step output in the run page: which steps have it (from their events), and a bounded
// text buffer that grows chunk by chunk as the viewer tails a file by byte cursor. Pure, so the
// tailing rules are tested without a server.

export interface CapturedOutputRef {
  stepKey: string;
  stdoutDownloadUrl: string;
  stderrDownloadUrl: string;
}

export interface LogChunk {
  data: string;
  start: number;
  cursor: string;
  size: number;
  hasMore: boolean;
  isComplete: boolean;
  exists: boolean;
}

export interface LogBuffer {
  text: string;
  /** Where the next read starts (null before the first read). */
  cursor: string | null;
  /** Earlier output is not in `text`: the first read started mid-file, or old lines were dropped. */
  truncated: boolean;
  size: number;
  isComplete: boolean;
  exists: boolean;
}

export const EMPTY_LOG: LogBuffer = { text: "", cursor: null, truncated: false, size: 0, isComplete: false, exists: false };

/** Steps whose output was captured, in the order their output was announced; the newest wins. */
export function capturedSteps(events: readonly { capturedOutput: CapturedOutputRef | null }[]): CapturedOutputRef[] {
  const found = new Map<string, CapturedOutputRef>();
  for (const e of events) {
    if (e.capturedOutput) found.set(e.capturedOutput.stepKey, e.capturedOutput);
  }
  return [...found.values()];
}

/** Append a chunk; past `maxChars`, whole lines are dropped from the front. */
export function appendChunk(buf: LogBuffer, chunk: LogChunk, maxChars: number): LogBuffer {
  let text = buf.text + chunk.data;
  let truncated = buf.truncated || (buf.cursor === null && chunk.start > 0);
  if (text.length > maxChars) {
    const from = text.length - maxChars;
    const newline = text.indexOf("\n", from);
    text = text.slice(newline >= 0 && newline < text.length - 1 ? newline + 1 : from);
    truncated = true;
  }
  return { text, cursor: chunk.cursor, truncated, size: chunk.size, isComplete: chunk.isComplete, exists: chunk.exists };
}

/** How long to wait before the next read: at once while bytes are waiting, a pause while the step
 * may still write, never once the file is complete and read to its end. */
export function nextReadDelay(chunk: LogChunk, tailMs: number): number | null {
  if (chunk.hasMore) return 0;
  return chunk.isComplete ? null : tailMs;
}

/** The byte count as people read it. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
