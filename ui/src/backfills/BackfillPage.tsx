// One backfill: progress per partition on a status bar, its runs, cancel and resume.
import { useMemo } from "react";
import { Empty, ErrorBox, Loading, Section, StatusTag } from "../app/components";
import { formatCount, formatTime } from "../app/format";
import { Link } from "../app/router";
import { useMutation, useQuery } from "../app/useQuery";
import { PartitionStatusBar } from "../assets/PartitionStatusBar";
import { gql } from "../graphql/client";
import type { BackfillPageQuery, CancelBackfillMutation, ResumeBackfillMutation } from "../graphql/generated";
import { RUN_ROW_FRAGMENT } from "../runs/RunsPage";
import { backfillRanges } from "./backfillStatus";
import { BACKFILL_SUMMARY_FRAGMENT } from "./BackfillsPage";

const BACKFILL_PAGE_QUERY = gql`
  query BackfillPage($id: String!) {
    backfill(id: $id) {
      ...BackfillSummary
      tags {
        key
        value
      }
      partitionStatuses(first: 10000) {
        nodes {
          partition
          status
          runId
        }
        pageInfo {
          hasNextPage
        }
      }
      runs {
        ...RunRow
      }
    }
  }
  ${BACKFILL_SUMMARY_FRAGMENT}
  ${RUN_ROW_FRAGMENT}
`;

const CANCEL_BACKFILL_MUTATION = gql`
  mutation CancelBackfill($backfillId: String!) {
    cancelBackfill(backfillId: $backfillId) {
      id
      status
    }
  }
`;

const RESUME_BACKFILL_MUTATION = gql`
  mutation ResumeBackfill($backfillId: String!) {
    resumeBackfill(backfillId: $backfillId) {
      id
      status
    }
  }
`;

export function BackfillPage({ backfillId }: { backfillId: string }) {
  const { data, error, loading, refetch } = useQuery<BackfillPageQuery>(BACKFILL_PAGE_QUERY, { id: backfillId }, { pollMs: 2000 });
  const cancel = useMutation<CancelBackfillMutation>(CANCEL_BACKFILL_MUTATION);
  const resume = useMutation<ResumeBackfillMutation>(RESUME_BACKFILL_MUTATION);
  const b = data?.backfill;
  const ranges = useMemo(() => (b ? backfillRanges(b.partitionStatuses.nodes) : []), [b]);
  if (error && !data) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading />;
  if (!b) return <Empty>No backfill with id {backfillId}.</Empty>;
  const canCancel = b.status === "REQUESTED" || b.status === "IN_PROGRESS";
  const canResume = b.status === "FAILED" || b.status === "CANCELED";
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/backfills">Backfills</Link> / <span className="mono">{b.id}</span>
          </div>
          <h1>
            Backfill <span className="mono">{b.id}</span> <StatusTag status={b.status} />
          </h1>
          <p className="muted">
            {b.selection} · {b.partitionRange ? `${b.partitionRange.start} … ${b.partitionRange.end}` : `${b.partitionKeys?.length ?? 0} partition keys`} · created{" "}
            {formatTime(b.createTime)}
          </p>
        </div>
        <div className="button-row">
          {canCancel && (
            <button className="button danger" disabled={cancel.pending} onClick={async () => (await cancel.mutate({ backfillId }), refetch())}>
              Cancel
            </button>
          )}
          {canResume && (
            <button className="button primary" disabled={resume.pending} onClick={async () => (await resume.mutate({ backfillId }), refetch())}>
              Resume
            </button>
          )}
        </div>
      </header>
      <ErrorBox error={cancel.error ?? resume.error} />
      <Section title="Progress">
        <PartitionStatusBar ranges={ranges} testId="backfill-status-bar" />
        {ranges.length > 0 && (
          <div className="bar-labels">
            <span>{ranges[0].start}</span>
            <span>{ranges[ranges.length - 1].end}</span>
          </div>
        )}
        {b.partitionStatuses.pageInfo.hasNextPage && <p className="muted">The bar shows the first {formatCount(b.partitionStatuses.nodes.length)} partitions.</p>}
        <div className="chips">
          {b.partitionStatusCounts.map((c) => (
            <span key={c.status} className="chip">
              {c.status.toLowerCase().replace("_", " ")}: {formatCount(c.count)}
            </span>
          ))}
        </div>
      </Section>
      <Section title={`Runs (${b.runs.length})`}>
        {b.runs.length === 0 ? (
          <p className="muted">No run launched yet: the daemon advances the backfill.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Partitions</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {b.runs.map((r) => (
                <tr key={r.id}>
                  <td className="mono">
                    <Link to={`/runs/${r.id}`}>{r.id.slice(0, 8)}</Link>
                  </td>
                  <td>
                    <StatusTag status={r.status} />
                  </td>
                  <td>{r.partitionRange ? `${r.partitionRange.start} … ${r.partitionRange.end}` : (r.partitionKey ?? "—")}</td>
                  <td>{formatTime(r.createTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
