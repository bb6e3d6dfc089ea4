import { describe, expect, it } from "vitest";
import { keyOfId, selectionForKeys } from "../asset-graph/graphNode";
import { gql } from "../graphql/client";
import { describePartitions, formatDuration } from "./format";

describe("formatting", () => {
  it("describes a daily definition in words, end exclusive", () => {
    expect(
      describePartitions({
        type: "TIME_WINDOW",
        description: "TimeWindowPartitionsDefinition(...)",
        cronSchedule: "0 0 * * *",
        start: "2024-01-01T00:00:00+00:00",
        end: "2024-01-11T00:00:00+00:00",
        timezone: "UTC",
      }),
    ).toBe("Daily partitions from 2024-01-01 until 2024-01-11 (exclusive, UTC)");
    expect(describePartitions({ type: "STATIC", description: "us, eu" })).toBe("us, eu");
  });

  it("formats durations from microseconds to hours", () => {
    expect(formatDuration(0.0005)).toBe("0.50 ms");
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(75)).toBe("1 min 15 s");
    expect(formatDuration(7300)).toBe("2 h 1 min");
  });
});

describe("keys and selections", () => {
  it("reads the asset key from a node id and quotes keys in selections", () => {
    expect(keyOfId("shop:raw/orders")).toBe("raw/orders");
    expect(selectionForKeys(["raw/orders", 'we"ird'])).toBe('key:"raw/orders" or key:"we\\"ird"');
  });

  it("appends each interpolated fragment once", () => {
    const fragment = gql`
      fragment A on X {
        id
      }
    `;
    const query = gql`query Q { x { ...A } } ${fragment} ${fragment}`;
    expect(query.match(/fragment A/g)).toHaveLength(1);
  });
});
