import { describe, expect, it } from "vitest";
import { protocolStep } from "./subscribe";

const Q = "subscription { x }";
const V = { a: 1 };

describe("protocolStep", () => {
  it("subscribes once the connection is acknowledged", () => {
    expect(protocolStep("connecting", { type: "connection_ack" }, "1", Q, V)).toEqual({
      phase: "subscribed",
      send: { id: "1", type: "subscribe", payload: { query: Q, variables: V } },
    });
  });

  it("answers pings in any phase", () => {
    expect(protocolStep("connecting", { type: "ping" }, "1", Q, V)).toEqual({ phase: "connecting", send: { type: "pong" } });
    expect(protocolStep("subscribed", { type: "ping" }, "1", Q, V).send).toEqual({ type: "pong" });
  });

  it("fails when the first message is not an acknowledgement", () => {
    expect(protocolStep("connecting", { type: "next", id: "1" }, "1", Q, V)).toMatchObject({ phase: "done", error: expect.stringContaining("did not acknowledge") });
  });

  it("delivers data, then completes", () => {
    expect(protocolStep("subscribed", { type: "next", id: "1", payload: { data: { x: 1 } } }, "1", Q, V)).toEqual({ phase: "subscribed", data: { x: 1 } });
    expect(protocolStep("subscribed", { type: "complete", id: "1" }, "1", Q, V)).toEqual({ phase: "done", complete: true });
  });

  it("turns GraphQL errors and protocol errors into an error", () => {
    const withErrors = protocolStep("subscribed", { type: "next", id: "1", payload: { errors: [{ message: "No run" }] } }, "1", Q, V);
    expect(withErrors).toEqual({ phase: "done", error: "No run" });
    expect(protocolStep("subscribed", { type: "error", id: "1", payload: [{ message: "bad" }] }, "1", Q, V)).toEqual({ phase: "done", error: "bad" });
  });

  it("ignores other operations and anything after the end", () => {
    expect(protocolStep("subscribed", { type: "next", id: "2", payload: { data: 1 } }, "1", Q, V)).toEqual({ phase: "subscribed" });
    expect(protocolStep("done", { type: "next", id: "1", payload: { data: 1 } }, "1", Q, V)).toEqual({ phase: "done" });
  });
});
