// GraphQL subscriptions over WebSocket (graphql-transport-ws) at /graphql: one socket per
// subscription, for the live views. `protocolStep` is the protocol as a pure function of the
// messages received, so it is tested without a socket; `subscribe` wires it to a WebSocket.

export type Phase = "connecting" | "subscribed" | "done";

export interface ProtocolStep {
  phase: Phase;
  send?: object;
  data?: unknown;
  error?: string;
  complete?: boolean;
}

/** What to do with one message from the server, for the operation `id` of `query`. */
export function protocolStep(phase: Phase, message: { type?: string; id?: string; payload?: unknown }, id: string, query: string, variables: Record<string, unknown>): ProtocolStep {
  if (message.type === "ping") return { phase, send: { type: "pong" } };
  if (phase === "connecting") {
    if (message.type === "connection_ack") return { phase: "subscribed", send: { id, type: "subscribe", payload: { query, variables } } };
    return { phase: "done", error: `The server did not acknowledge the connection (${message.type ?? "no type"}).` };
  }
  if (phase === "done" || message.id !== id) return { phase };
  if (message.type === "next") {
    const payload = message.payload as { data?: unknown; errors?: { message: string }[] };
    if (payload.errors?.length) return { phase: "done", error: payload.errors.map((e) => e.message).join("\n") };
    return { phase, data: payload.data };
  }
  if (message.type === "error") {
    const errors = (message.payload as { message: string }[] | undefined) ?? [];
    return { phase: "done", error: errors.map((e) => e.message).join("\n") || "The subscription failed." };
  }
  if (message.type === "complete") return { phase: "done", complete: true };
  return { phase };
}

export interface SubscriptionHandlers<T> {
  next: (data: T) => void;
  /** The socket could not open, closed early, or the server sent an error: fall back to something else. */
  error: (error: Error) => void;
  complete: () => void;
}

/** Subscribe; returns a function that stops the subscription and closes the socket. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
  const id = "1";
  let phase: Phase = "connecting";
  let stopped = false;
  const ws = new WebSocket(url, "graphql-transport-ws");
  const finish = (error?: Error) => {
    if (phase !== "done") phase = "done";
    ws.close(1000);
    if (!stopped) {
      stopped = true;
      if (error) handlers.error(error);
      else handlers.complete();
    }
  };
  ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init" }));
  ws.onmessage = (event: MessageEvent) => {
    let message: { type?: string; id?: string; payload?: unknown };
    try {
      message = JSON.parse(String(event.data));
    } catch {
      finish(new Error("The server sent a message that is not JSON."));
      return;
    }
    const step = protocolStep(phase, message, id, query, variables);
    phase = step.phase;
    if (step.send) ws.send(JSON.stringify(step.send));
    if (step.data !== undefined && !stopped) handlers.next(step.data as T);
    if (step.error !== undefined) finish(new Error(step.error));
    else if (step.complete) finish();
  };
  ws.onclose = () => {
    if (!stopped) finish(new Error("The subscription's connection closed."));
  };
  return () => {
    if (stopped) return;
    stopped = true;
    if (ws.readyState === WebSocket.OPEN && phase === "subscribed") ws.send(JSON.stringify({ id, type: "complete" }));
    ws.close(1000);
  };
}
