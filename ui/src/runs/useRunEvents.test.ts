import { describe, expect, it } from "vitest";
import { eventsAfter } from "./useRunEvents";

describe("eventsAfter", () => {
  it("keeps only the events after the cursor, comparing ids as numbers", () => {
    const nodes = [{ id: "9" }, { id: "10" }, { id: "11" }];
    expect(eventsAfter(nodes, "9")).toEqual([{ id: "10" }, { id: "11" }]);
    expect(eventsAfter(nodes, null)).toEqual(nodes);
    expect(eventsAfter(nodes, "11")).toEqual([]);
  });
});
