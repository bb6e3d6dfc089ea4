// A run's events, live. First choice: the `runEvents` GraphQL subscription over WebSocket, which
// delivers the new events themselves. When the socket cannot open or drops, the server's event
// stream (SSE) tells us when something new was written and we read it through GraphQL from our
// cursor; without EventSource, or when that stream drops too, we poll. Every path reads the same
// fragment from the same cursor, so switching never loses or repeats an event.
import { useCallback, useEffect, useRef, useState } from "react";
import { gql, request } from "../graphql/client";
import type { RunEventRowFragment, RunEventsLiveSubscription, RunEventsQuery } from "../graphql/generated";
import { subscribe } from "../graphql/subscribe";

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

const RUN_EVENTS_SUBSCRIPTION = gql`
  subscription RunEventsLive($runId: String!, $after: String) {
    runEvents(runId: $runId, after: $after) {
      nodes {
        ...RunEventRow
      }
      endCursor
      isFinished
    }
  }
  ${RUN_EVENT_ROW_FRAGMENT}
`;

/** The events of `nodes` after `cursor` (ids increase): what a live message adds to what we have. */
export function eventsAfter<T extends { id: string }>(nodes: readonly T[], cursor: string | null): T[] {
  if (cursor === null) return [...nodes];
  const after = Number(cursor);
  return nodes.filter((n) => Number(n.id) > after);
}

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
    let source: EventSource | null = null;
    let unsubscribe: (() => void) | null = null;
    let stopped = false;
    const soon = () => {
      if (!timer) timer = setTimeout(() => ((timer = null), void fetchNew()), 100);
    };
    const startPolling = () => {
      if (!poll && !stopped) poll = setInterval(() => void fetchNew(), 1500);
    };
    const startStream = () => {
      if (stopped) return;
      if (typeof EventSource === "undefined") return startPolling();
      source = new EventSource(`/runs/${encodeURIComponent(runId)}/events/stream${cursor.current ? `?after=${cursor.current}` : ""}`);
      source.addEventListener("run_event", soon);
      source.addEventListener("end", () => {
        soon();
        source?.close();
      });
      source.onerror = () => {
        source?.close();
        startPolling();
      };
    };
    const onBatch = (data: RunEventsLiveSubscription) => {
      // A page read by fetchNew may be in flight: only what lies after our cursor is new.
      if (busy.current) return soon();
      const fresh = eventsAfter(data.runEvents.nodes, cursor.current);
      if (!fresh.length) return;
      cursor.current = fresh[fresh.length - 1].id;
      setEvents((prev) => [...prev, ...fresh]);
    };
    if (typeof WebSocket !== "undefined") {
      unsubscribe = subscribe<RunEventsLiveSubscription>(RUN_EVENTS_SUBSCRIPTION, { runId, after: cursor.current }, {
        next: onBatch,
        complete: soon,
        error: () => {
          soon();
          startStream();
        },
      });
    } else startStream();
    return () => {
      stopped = true;
      unsubscribe?.();
      source?.close();
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
    };
  }, [runId, finished, fetchNew]);

  return { events, error, refresh: () => void fetchNew() };
}
