// A step's captured stdout or stderr. It reads the end of the file first (a long log opens at its
// newest lines), then follows the file by byte cursor while the run is live, and stops once the
// run has finished and everything is read. The whole file is one download away.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { ErrorBox } from "../app/components";
import { gql, request } from "../graphql/client";
import type { CapturedLogsQuery, LogStream } from "../graphql/generated";
import { appendChunk, EMPTY_LOG, formatBytes, nextReadDelay, type LogBuffer } from "./capturedLogs";

const CAPTURED_LOGS_QUERY = gql`
  query CapturedLogs($runId: String!, $stepKey: String!, $stream: LogStream!, $cursor: String, $fromEnd: Boolean!) {
    capturedLogs(runId: $runId, stepKey: $stepKey, stream: $stream, cursor: $cursor, maxBytes: 262144, fromEnd: $fromEnd) {
      data
      start
      cursor
      size
      hasMore
      isComplete
      exists
    }
  }
`;

const MAX_CHARS = 1_000_000;
const TAIL_MS = 1000;
const RETRY_MS = 3000;

function useCapturedLog(runId: string, stepKey: string, stream: LogStream): { log: LogBuffer; error: Error | undefined; captured: boolean } {
  const [log, setLog] = useState<LogBuffer>(EMPTY_LOG);
  const [error, setError] = useState<Error>();
  const [captured, setCaptured] = useState(true);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let state = EMPTY_LOG;
    setLog(EMPTY_LOG);
    setError(undefined);
    setCaptured(true);
    const read = async () => {
      try {
        const variables = { runId, stepKey, stream, cursor: state.cursor, fromEnd: state.cursor === null };
        const chunk = (await request<CapturedLogsQuery>(CAPTURED_LOGS_QUERY, variables)).capturedLogs;
        if (stopped) return;
        if (!chunk) {
          setCaptured(false);
          return;
        }
        state = appendChunk(state, chunk, MAX_CHARS);
        setLog(state);
        setError(undefined);
        const delay = nextReadDelay(chunk, TAIL_MS);
        if (delay !== null) timer = setTimeout(() => void read(), delay);
      } catch (e) {
        if (stopped) return;
        setError(e as Error);
        timer = setTimeout(() => void read(), RETRY_MS);
      }
    };
    void read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, stepKey, stream]);

  return { log, error, captured };
}

export function LogViewer({ runId, stepKey, stream, downloadUrl }: { runId: string; stepKey: string; stream: LogStream; downloadUrl: string }) {
  const { log, error, captured } = useCapturedLog(runId, stepKey, stream);
  const pre = useRef<HTMLPreElement>(null);
  const following = useRef(true);

  // Stay at the bottom while new output arrives, unless the reader scrolled up.
  useLayoutEffect(() => {
    if (following.current && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [log.text]);
  const onScroll = () => {
    const el = pre.current;
    if (el) following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  const name = stream === "STDOUT" ? "stdout" : "stderr";
  if (!captured) return <p className="muted">The output of step {stepKey} was not captured.</p>;
  return (
    <div className="log-viewer" data-testid="log-viewer">
      <div className="log-toolbar">
        <span className="mono">
          {stepKey} · {name}
        </span>
        <span className={log.isComplete ? "muted" : "live"} data-testid="log-state">
          {log.cursor === null ? "loading…" : log.isComplete ? "complete" : "live: the step may still be writing"}
        </span>
        <span className="muted">{formatBytes(log.size)}</span>
        <a className="button" href={downloadUrl} download>
          Download {name}
        </a>
      </div>
      <ErrorBox error={error} />
      {log.truncated && (
        <p className="muted small">
          Earlier output is not shown here; <a href={downloadUrl} download>download the whole file</a>.
        </p>
      )}
      <pre ref={pre} className="log-output" data-testid="captured-log" onScroll={onScroll}>
        {log.text || emptyText(log, name)}
      </pre>
    </div>
  );
}

function emptyText(log: LogBuffer, name: string): string {
  if (log.cursor === null) return "";
  if (!log.isComplete) return `Nothing on ${name} yet.`;
  return log.exists ? `The step wrote nothing to ${name}.` : `No ${name} file: the step never started, or retention removed it.`;
}
