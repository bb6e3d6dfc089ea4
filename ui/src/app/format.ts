// Formatting shared by pages: times, durations, counts.

export function formatTime(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !isFinite(seconds)) return "—";
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(seconds < 0.001 ? 2 : 1)} ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatAgo(seconds: number | null | undefined, now = Date.now() / 1000): string {
  if (seconds == null) return "never";
  const d = Math.max(0, now - seconds);
  if (d < 60) return `${Math.round(d)} s ago`;
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86400) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86400)} d ago`;
}

export function formatValue(value: unknown): string {
  if (value == null) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? formatCount(value) : String(Math.round(value * 1000) / 1000);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A partitions definition in words: "daily, 2024-01-01 to 2024-01-11 (UTC)". */
export function describePartitions(def: {
  type: string;
  description: string;
  cronSchedule?: string | null;
  start?: string | null;
  end?: string | null;
  timezone?: string | null;
}): string {
  if (def.type !== "TIME_WINDOW") return def.description;
  const cadence: Record<string, string> = {
    "0 * * * *": "Hourly",
    "0 0 * * *": "Daily",
    "0 0 * * 0": "Weekly",
    "0 0 1 * *": "Monthly",
  };
  const name = cadence[def.cronSchedule ?? ""] ?? `Every "${def.cronSchedule}"`;
  const day = (s: string | null | undefined) => (s ? s.slice(0, 10) : null);
  const range = def.end ? `from ${day(def.start)} until ${day(def.end)} (exclusive` : `from ${day(def.start)}, ongoing (`;
  return `${name} partitions ${range}${def.end ? ", " : ""}${def.timezone ?? "UTC"})`;
}
