// Backfills, newest first, each with its progress.
import { Empty, ErrorBox, Loading, StatusTag } from "../app/components";
import { formatCount, formatTime } from "../app/format";
import { Link } from "../app/router";
import { useQuery } from "../app/useQuery";
import { gql } from "../graphql/client";
import type { BackfillsPageQuery } from "../graphql/generated";

export const BACKFILL_SUMMARY_FRAGMENT = gql`
  fragment BackfillSummary on Backfill {
    id
    status
    createTime
    selection
    assetSelection {
      userString
    }
    partitionRange {
      start
      end
    }
    partitionKeys
    partitionStatusCounts {
      status
      count
    }
  }
`;

const BACKFILLS_PAGE_QUERY = gql`
  query BackfillsPage {
    backfills(first: 50) {
      ...BackfillSummary
    }
  }
  ${BACKFILL_SUMMARY_FRAGMENT}
`;

export function Progress({ counts }: { counts: readonly { status: string; count: number }[] }) {
  const total = counts.reduce((s, c) => s + c.count, 0);
  const get = (...names: string[]) => counts.filter((c) => names.includes(c.status)).reduce((s, c) => s + c.count, 0);
  const done = get("SUCCESS");
  const failed = get("FAILURE", "CANCELED");
  const running = get("QUEUED", "STARTING", "STARTED", "CANCELING");
  const pct = (n: number) => `${total ? (n / total) * 100 : 0}%`;
  return (
    <div className="progress-wrap" title={counts.map((c) => `${c.status}: ${c.count}`).join(", ")}>
      <div className="progress">
        <div className="progress-done" style={{ width: pct(done) }} />
        <div className="progress-failed" style={{ width: pct(failed) }} />
        <div className="progress-running" style={{ width: pct(running) }} />
      </div>
      <span className="muted nowrap">
        {formatCount(done)}/{formatCount(total)}
        {failed > 0 && `, ${formatCount(failed)} failed`}
      </span>
    </div>
  );
}

export function BackfillsPage() {
  const { data, error, loading } = useQuery<BackfillsPageQuery>(BACKFILLS_PAGE_QUERY, {}, { pollMs: 3000 });
  return (
    <div className="page">
      <header className="page-header">
        <h1>Backfills</h1>
      </header>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && data.backfills.length === 0 && <Empty>No backfills yet. Launch one from an asset's Materialize dialog.</Empty>}
      {data && data.backfills.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Backfill</th>
              <th>Status</th>
              <th>Assets</th>
              <th>Partitions</th>
              <th>Progress</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data.backfills.map((b) => (
              <tr key={b.id}>
                <td className="mono">
                  <Link to={`/backfills/${b.id}`}>{b.id}</Link>
                </td>
                <td>
                  <StatusTag status={b.status} />
                </td>
                <td className="truncate">{b.selection ?? b.assetSelection.map((a) => a.userString).join(", ")}</td>
                <td>{b.partitionRange ? `${b.partitionRange.start} … ${b.partitionRange.end}` : `${b.partitionKeys?.length ?? 0} keys`}</td>
                <td>
                  <Progress counts={b.partitionStatusCounts} />
                </td>
                <td className="nowrap">{formatTime(b.createTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
