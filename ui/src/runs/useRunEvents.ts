// A run's events, live: the server's event stream (SSE) tells us when something new was written,
// and we read the new events through GraphQL from our cursor (so every field, tracebacks
// included, comes from one place). Without EventSource, or when the stream drops, we poll.
import { useCallback, useEffect, useRef, useState } from "react";
import { gql, request } from "../graphql/client";
import type { RunEventRowFragment, RunEventsQuery } from "../graphql/generated";

export const RUN_EVENT_ROW_FRAGMENT = gql`
  fragment RunEventRow on RunEvent {
    id
    eventType
    timestamp
    stepKey
    message
    level
    partition
    assetKey {
      path
      userString
    }
    checkName
    passed
    metadata {
      label
      type
      value
    }
    error {
      message
      clsName
      traceback
    }
    capturedOutput {
      stepKey
      stdoutDownloadUrl
      stderrDownloadUrl
    }
  }
`;

const RUN_EVENTS_QUERY = gql`
  query RunEvents($runId: String!, $after: String) {
    runEvents(runId: $runId, after: $after, first: 1000) {
      nodes {
        ...RunEventRow
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
  ${RUN_EVENT_ROW_FRAGMENT}
`;

export function useRunEvents(runId: string, finished: boolean): { events: RunEventRowFragment[]; error: Error | undefined; refresh: () => void } {
  const [events, setEvents] = useState<RunEventRowFragment[]>([]);
  const [error, setError] = useState<Error>();
  const cursor = useRef<string | null>(null);
  const busy = useRef(false);
  const again = useRef(false);

  const fetchNew = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    try {
      do {
        again.current = false;
        for (;;) {
          const data = await request<RunEventsQuery>(RUN_EVENTS_QUERY, { runId, after: cursor.current });
          const page = data.runEvents;
          if (page.nodes.length) {
            cursor.current = page.pageInfo.endCursor ?? page.nodes[page.nodes.length - 1].id;
            setEvents((prev) => [...prev, ...page.nodes]);
          }
          if (!page.pageInfo.hasNextPage) break;
        }
      } while (again.current);
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      busy.current = false;
    }
  }, [runId]);

  useEffect(() => {
    cursor.current = null;
    setEvents([]);
    void fetchNew();
  }, [runId, fetchNew]);

  useEffect(() => {
    if (finished) {
      void fetchNew();
      return;
    }
    let poll: ReturnType<typeof setInterval> | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      if (!timer) timer = setTimeout(() => ((timer = null), void fetchNew()), 100);
    };
    let source: EventSource | null = null;
    if (typeof EventSource !== "undefined") {
      source = new EventSource(`/runs/${encodeURIComponent(runId)}/events/stream${cursor.current ? `?after=${cursor.current}` : ""}`);
      source.addEventListener("run_event", soon);
      source.addEventListener("end", () => {
        soon();
        source?.close();
      });
      source.onerror = () => {
        source?.close();
        if (!poll) poll = setInterval(() => void fetchNew(), 1500);
      };
    } else poll = setInterval(() => void fetchNew(), 1500);
    return () => {
      source?.close();
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
    };
  }, [runId, finished, fetchNew]);

  return { events, error, refresh: () => void fetchNew() };
}
