// "Materialize": shows what will run, lets the user pick partitions (one key, a range, missing
// only, failed and missing) and launches a run or backfills.
import { useMemo, useState } from "react";
import { Dialog, ErrorBox, Loading } from "../app/components";
import { describePartitions, formatCount } from "../app/format";
import { navigate } from "../app/router";
import { useMutation, useQuery } from "../app/useQuery";
import { gql, request } from "../graphql/client";
import type {
  LaunchBackfillMutation,
  LaunchRunMutation,
  MaterializeTargetsQuery,
  PartitionStatus,
} from "../graphql/generated";
import { keyRangesWithStatus } from "./statusBar";

const MATERIALIZE_TARGETS_QUERY = gql`
  query MaterializeTargets($selection: String!) {
    assetNodes(selection: $selection) {
      id
      key {
        userString
      }
      isExecutable
      isPartitioned
      partitionsDefinition {
        type
        description
        cronSchedule
        start
        end
        timezone
      }
      partitionStats {
        total
        materialized
        failed
        missing
      }
      partitionStatusRanges {
        start
        end
        status
        count
      }
    }
  }
`;

const LAUNCH_RUN_MUTATION = gql`
  mutation LaunchRun($selection: String!, $partitionKey: String) {
    launchRun(selection: $selection, partitionKey: $partitionKey) {
      id
      status
    }
  }
`;

const LAUNCH_BACKFILL_MUTATION = gql`
  mutation LaunchBackfill($selection: String!, $partitionRange: PartitionRangeInput, $partitionKeys: [String!], $failedAndMissingOnly: Boolean! = false) {
    launchBackfill(selection: $selection, partitionRange: $partitionRange, partitionKeys: $partitionKeys, failedAndMissingOnly: $failedAndMissingOnly) {
      id
      status
    }
  }
`;

type Mode = "single" | "range" | "missing" | "failed_and_missing";
const MAX_BACKFILLS = 20;

export function MaterializeDialog({ selection, title, onClose }: { selection: string; title?: string; onClose: () => void }) {
  const { data, error, loading } = useQuery<MaterializeTargetsQuery>(MATERIALIZE_TARGETS_QUERY, { selection });
  const targets = data?.assetNodes ?? [];
  const executable = targets.filter((t) => t.isExecutable);
  const skipped = targets.length - executable.length;
  const reference = executable.find((t) => t.isPartitioned);
  const ranges = reference?.partitionStatusRanges ?? [];
  const firstKey = ranges[0]?.start ?? "";
  const lastKey = ranges[ranges.length - 1]?.end ?? "";
  const hasMissing = (reference?.partitionStats.missing ?? 0) > 0;

  const [mode, setMode] = useState<Mode | null>(null);
  const effectiveMode: Mode = mode ?? (hasMissing ? "missing" : "single");
  const [key, setKey] = useState<string | null>(null);
  const [start, setStart] = useState<string | null>(null);
  const [end, setEnd] = useState<string | null>(null);
  const run = useMutation<LaunchRunMutation>(LAUNCH_RUN_MUTATION);
  const [launching, setLaunching] = useState(false);
  const [launchError, setLaunchError] = useState<Error>();

  const statusRanges = useMemo(() => {
    if (effectiveMode !== "missing" && effectiveMode !== "failed_and_missing") return [];
    const wanted = new Set<PartitionStatus>(effectiveMode === "missing" ? ["MISSING"] : ["MISSING", "FAILED"]);
    return keyRangesWithStatus(ranges, wanted);
  }, [ranges, effectiveMode]);
  const statusCount = statusRanges.reduce((s, r) => s + r.count, 0);

  const singleKey = key ?? lastKey;
  const rangeStart = start ?? firstKey;
  const rangeEnd = end ?? lastKey;

  let plan = "";
  let canLaunch = executable.length > 0;
  if (!data) plan = "Resolving the selection…";
  else if (!reference) plan = `Launches one run of ${executable.length} asset${executable.length === 1 ? "" : "s"}.`;
  else if (effectiveMode === "single") {
    plan = `Launches one run for partition ${singleKey || "…"}.`;
    canLaunch &&= !!singleKey;
  } else if (effectiveMode === "range") {
    plan = `Launches a backfill over ${rangeStart} … ${rangeEnd}.`;
    canLaunch &&= !!rangeStart && !!rangeEnd;
  } else if (effectiveMode === "failed_and_missing" && statusCount > 0) {
    plan = `Launches a backfill of the ${formatCount(statusCount)} failed and missing partition${statusCount === 1 ? "" : "s"}.`;
  } else if (statusCount === 0) {
    plan = "Nothing to do: no partition has that status.";
    canLaunch = false;
  } else if (statusRanges.length > MAX_BACKFILLS) {
    plan = `${formatCount(statusCount)} partitions in ${statusRanges.length} separate ranges: too many backfills at once; pick a range instead.`;
    canLaunch = false;
  } else {
    plan = `Launches ${statusRanges.length === 1 ? "a backfill" : `${statusRanges.length} backfills`} of ${formatCount(statusCount)} partition${statusCount === 1 ? "" : "s"}.`;
  }

  const launch = async () => {
    setLaunching(true);
    setLaunchError(undefined);
    try {
      if (!reference) {
        const r = await run.mutate({ selection });
        if (r) navigate(`/runs/${r.launchRun.id}`);
        else return;
      } else if (effectiveMode === "single") {
        const r = await run.mutate({ selection, partitionKey: singleKey });
        if (r) navigate(`/runs/${r.launchRun.id}`);
        else return;
      } else {
        // "Failed and missing": the server picks the partitions (failedAndMissingOnly) over the whole
        // key space. "Missing only": one backfill per run of missing partitions.
        const wanted =
          effectiveMode === "range"
            ? [{ start: rangeStart, end: rangeEnd }]
            : effectiveMode === "failed_and_missing"
              ? [{ start: firstKey, end: lastKey }]
              : statusRanges;
        const failedAndMissingOnly = effectiveMode === "failed_and_missing";
        const ids: string[] = [];
        for (const r of wanted) {
          const variables =
            r.start === r.end
              ? { selection, partitionKeys: [r.start], failedAndMissingOnly }
              : { selection, partitionRange: { start: r.start, end: r.end }, failedAndMissingOnly };
          const result = await request<LaunchBackfillMutation>(LAUNCH_BACKFILL_MUTATION, variables);
          ids.push(result.launchBackfill.id);
        }
        navigate(ids.length === 1 ? `/backfills/${ids[0]}` : "/backfills");
      }
      onClose();
    } catch (e) {
      setLaunchError(e as Error);
    } finally {
      setLaunching(false);
    }
  };

  const footer = (
    <>
      <span className="muted plan" data-testid="materialize-plan">
        {plan}
      </span>
      <button className="button" onClick={onClose}>
        Cancel
      </button>
      <button className="button primary" disabled={!canLaunch || launching || !data} onClick={launch} data-testid="launch">
        {launching ? "Launching…" : reference && effectiveMode !== "single" ? "Launch backfill" : "Launch run"}
      </button>
    </>
  );

  return (
    <Dialog title={title ?? "Materialize"} onClose={onClose} footer={footer}>
      {loading && !data && <Loading />}
      <ErrorBox error={error} />
      {data && (
        <>
          <h3>What will run</h3>
          <ul className="target-list">
            {executable.slice(0, 12).map((t) => (
              <li key={t.id}>
                <code>{t.key.userString}</code>
                {t.partitionsDefinition && <span className="muted"> · {describePartitions(t.partitionsDefinition)}</span>}
              </li>
            ))}
            {executable.length > 12 && <li className="muted">and {formatCount(executable.length - 12)} more</li>}
            {executable.length === 0 && <li className="muted">No asset in this selection can be materialized here.</li>}
          </ul>
          {skipped > 0 && <p className="muted">{skipped} external asset{skipped === 1 ? " is" : "s are"} skipped (materialized elsewhere).</p>}
          {reference && (
            <fieldset className="partition-picker">
              <legend>Partitions {executable.filter((t) => t.isPartitioned).length > 1 && <span className="muted">(statuses of {reference.key.userString})</span>}</legend>
              <label>
                <input type="radio" name="mode" checked={effectiveMode === "single"} onChange={() => setMode("single")} /> One partition
              </label>
              {effectiveMode === "single" && (
                <input className="input" aria-label="Partition key" value={singleKey} onChange={(e) => setKey(e.target.value)} data-testid="partition-key" />
              )}
              <label>
                <input type="radio" name="mode" checked={effectiveMode === "range"} onChange={() => setMode("range")} /> A range
              </label>
              {effectiveMode === "range" && (
                <div className="row">
                  <input className="input" aria-label="First partition" value={rangeStart} onChange={(e) => setStart(e.target.value)} data-testid="range-start" />
                  <span>to</span>
                  <input className="input" aria-label="Last partition" value={rangeEnd} onChange={(e) => setEnd(e.target.value)} data-testid="range-end" />
                </div>
              )}
              <label>
                <input type="radio" name="mode" checked={effectiveMode === "missing"} onChange={() => setMode("missing")} /> Missing only{" "}
                <span className="muted">({formatCount(reference.partitionStats.missing)})</span>
              </label>
              <label>
                <input type="radio" name="mode" checked={effectiveMode === "failed_and_missing"} onChange={() => setMode("failed_and_missing")} /> Failed and
                missing <span className="muted">({formatCount(reference.partitionStats.missing + reference.partitionStats.failed)})</span>
              </label>
            </fieldset>
          )}
          <ErrorBox error={launchError ?? run.error} title="Launch refused" />
        </>
      )}
    </Dialog>
  );
}
