// Runs, newest first, with a status filter and cursor pagination.
import { useState } from "react";
import { Empty, ErrorBox, Loading, StatusTag } from "../app/components";
import { formatDuration, formatTime } from "../app/format";
import { Link, navigate, useLocation } from "../app/router";
import { useQuery } from "../app/useQuery";
import { gql } from "../graphql/client";
import type { RunStatus, RunsPageQuery } from "../graphql/generated";

export const RUN_ROW_FRAGMENT = gql`
  fragment RunRow on Run {
    id
    status
    createTime
    startTime
    endTime
    partitionKey
    partitionRange {
      start
      end
    }
    backfillId
    jobName
    assetSelection {
      path
      userString
    }
  }
`;

const RUNS_PAGE_QUERY = gql`
  query RunsPage($first: Int!, $after: String, $status: [RunStatus!]) {
    runs(first: $first, after: $after, status: $status) {
      nodes {
        ...RunRow
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
  ${RUN_ROW_FRAGMENT}
`;

const STATUSES: RunStatus[] = ["QUEUED", "STARTING", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED"];
const PAGE = 30;

export function RunsPage() {
  const { search } = useLocation();
  const statusParam = search.get("status");
  const status = statusParam ? (statusParam.split(",").filter((s) => STATUSES.includes(s as RunStatus)) as RunStatus[]) : null;
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const { data, error, loading } = useQuery<RunsPageQuery>(RUNS_PAGE_QUERY, { first: PAGE, after, status }, { pollMs: 3000 });

  const setStatus = (s: RunStatus | null) => {
    setCursors([null]);
    if (!s) return navigate("/runs");
    const next = new Set(status ?? []);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    navigate(next.size ? `/runs?status=${[...next].join(",")}` : "/runs");
  };

  return (
    <div className="page">
      <header className="page-header">
        <h1>Runs</h1>
      </header>
      <div className="filters" role="group" aria-label="Filter by status">
        <button className={`chip-button${!status ? " active" : ""}`} onClick={() => setStatus(null)}>
          All
        </button>
        {STATUSES.map((s) => (
          <button key={s} className={`chip-button${status?.includes(s) ? " active" : ""}`} onClick={() => setStatus(s)}>
            {s.toLowerCase()}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && data.runs.nodes.length === 0 && <Empty>No runs{status ? " with this status" : " yet"}.</Empty>}
      {data && data.runs.nodes.length > 0 && (
        <table className="table runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th>Assets</th>
              <th>Partitions</th>
              <th>Created</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {data.runs.nodes.map((r) => (
              <tr key={r.id}>
                <td className="mono">
                  <Link to={`/runs/${r.id}`}>{r.id.slice(0, 8)}</Link>
                </td>
                <td>
                  <StatusTag status={r.status} />
                </td>
                <td className="truncate" title={r.assetSelection.map((a) => a.userString).join(", ")}>
                  {r.jobName && <span className="chip">{r.jobName}</span>}
                  {r.assetSelection.slice(0, 3).map((a) => a.userString).join(", ")}
                  {r.assetSelection.length > 3 && ` +${r.assetSelection.length - 3}`}
                </td>
                <td>
                  {r.partitionRange ? `${r.partitionRange.start} … ${r.partitionRange.end}` : (r.partitionKey ?? "—")}
                  {r.backfillId && (
                    <>
                      {" "}
                      <Link className="chip" to={`/backfills/${r.backfillId}`}>
                        backfill
                      </Link>
                    </>
                  )}
                </td>
                <td className="nowrap">{formatTime(r.createTime)}</td>
                <td>{r.startTime ? formatDuration((r.endTime ?? Date.now() / 1000) - r.startTime) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button className="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button
          className="button"
          disabled={!data?.runs.pageInfo.hasNextPage}
          onClick={() => data?.runs.pageInfo.endCursor && setCursors([...cursors, data.runs.pageInfo.endCursor])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}
