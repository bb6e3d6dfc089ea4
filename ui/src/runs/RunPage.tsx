// One run: status, error with traceback, step timeline, captured stdout/stderr per step and the
// live event log. `?logs=STEP&stream=stderr` selects the captured output shown.
import { useMemo, useState, type MouseEvent } from "react";
import { ErrorBox, Loading, MetadataTable, Section, StatusTag, Empty } from "../app/components";
import { formatDuration, formatTime } from "../app/format";
import { assetPath, Link, navigate, useLocation } from "../app/router";
import { useMutation, useQuery } from "../app/useQuery";
import { gql } from "../graphql/client";
import type { CancelRunMutation, LogStream, ReexecuteRunMutation, RunEventRowFragment, RunPageQuery } from "../graphql/generated";
import { capturedSteps, type CapturedOutputRef } from "./capturedLogs";
import { ganttRows } from "./gantt";
import { GanttChart } from "./Gantt";
import { LogViewer } from "./LogViewer";
import { useRunEvents } from "./useRunEvents";

const RUN_PAGE_QUERY = gql`
  query RunPage($id: String!) {
    run(id: $id) {
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
      assetSelection {
        path
        userString
      }
      tags {
        key
        value
      }
      jobName
      parentRunId
      rootRunId
      backfillId
      codeLocation
      canCancel
    }
  }
`;

const CANCEL_RUN_MUTATION = gql`
  mutation CancelRun($runId: String!) {
    cancelRun(runId: $runId) {
      id
      status
    }
  }
`;

const REEXECUTE_RUN_MUTATION = gql`
  mutation ReexecuteRun($runId: String!, $fromFailure: Boolean!) {
    reexecuteRun(runId: $runId, fromFailure: $fromFailure) {
      id
    }
  }
`;

const FINISHED = new Set(["SUCCESS", "FAILURE", "CANCELED"]);

export function RunPage({ runId }: { runId: string }) {
  // Poll while the run can still change; a finished run is read once (re-execution is a new run).
  const [settled, setSettled] = useState(false);
  const { data, error, loading, refetch } = useQuery<RunPageQuery>(RUN_PAGE_QUERY, { id: runId }, { pollMs: settled ? undefined : 2000 });
  const run = data?.run;
  const finished = !!run && FINISHED.has(run.status);
  if (finished !== settled) setSettled(finished);
  const { events, error: eventsError } = useRunEvents(runId, finished);
  const cancel = useMutation<CancelRunMutation>(CANCEL_RUN_MUTATION);
  const reexecute = useMutation<ReexecuteRunMutation>(REEXECUTE_RUN_MUTATION);
  const [typeFilter, setTypeFilter] = useState("");

  const gantt = useMemo(() => ganttRows(events, finished && run?.endTime ? run.endTime : Date.now() / 1000), [events, finished, run?.endTime]);
  const failures = events.filter((e) => e.error && (e.eventType === "STEP_FAILURE" || e.eventType === "RUN_FAILURE"));
  const captured = useMemo(() => capturedSteps(events), [events]);
  const stepsWithLogs = useMemo(() => new Set(captured.map((c) => c.stepKey)), [captured]);
  const { search } = useLocation();
  const logStream: LogStream = search.get("stream") === "stderr" ? "STDERR" : "STDOUT";
  const logStep = captured.find((c) => c.stepKey === search.get("logs")) ?? captured[0];
  const showLogs = (stepKey: string, stream: LogStream = logStream) => {
    navigate(`/runs/${encodeURIComponent(runId)}?logs=${encodeURIComponent(stepKey)}&stream=${stream.toLowerCase()}`, true);
    document.getElementById("captured-output")?.scrollIntoView({ block: "start" });
  };
  const shown = typeFilter ? events.filter((e) => e.eventType.includes(typeFilter.toUpperCase()) || e.message.toLowerCase().includes(typeFilter.toLowerCase())) : events;

  if (error && !data) return <ErrorBox error={error} title="Could not load the run" />;
  if (loading && !data) return <Loading />;
  if (!run) return <Empty>No run with id {runId}.</Empty>;

  const doReexecute = async (fromFailure: boolean) => {
    const r = await reexecute.mutate({ runId, fromFailure });
    if (r) navigate(`/runs/${r.reexecuteRun.id}`);
  };

  return (
    <div className="page run-page">
      <header className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/runs">Runs</Link> / <span className="mono">{run.id}</span>
          </div>
          <h1>
            Run <span className="mono">{run.id.slice(0, 8)}</span> <StatusTag status={run.status} />
          </h1>
          <div className="chips">
            {run.assetSelection.slice(0, 8).map((a) => (
              <Link key={a.userString} className="chip" to={assetPath(a.path)}>
                {a.userString}
              </Link>
            ))}
            {run.assetSelection.length > 8 && <span className="chip">+{run.assetSelection.length - 8}</span>}
            {run.partitionKey && <span className="chip">partition {run.partitionKey}</span>}
            {run.partitionRange && (
              <span className="chip">
                partitions {run.partitionRange.start} … {run.partitionRange.end}
              </span>
            )}
            {run.backfillId && (
              <Link className="chip" to={`/backfills/${run.backfillId}`}>
                backfill {run.backfillId}
              </Link>
            )}
            {run.parentRunId && (
              <Link className="chip" to={`/runs/${run.parentRunId}`}>
                re-execution of {run.parentRunId.slice(0, 8)}
              </Link>
            )}
          </div>
        </div>
        <div className="button-row">
          {run.canCancel && (
            <button className="button danger" disabled={cancel.pending} onClick={async () => (await cancel.mutate({ runId }), refetch())}>
              Cancel
            </button>
          )}
          {finished && run.status !== "SUCCESS" && (
            <button className="button" disabled={reexecute.pending} onClick={() => doReexecute(true)}>
              Re-execute from failure
            </button>
          )}
          {finished && (
            <button className="button primary" disabled={reexecute.pending} onClick={() => doReexecute(false)}>
              Re-execute all
            </button>
          )}
        </div>
      </header>
      <ErrorBox error={cancel.error ?? reexecute.error} />
      <div className="stats">
        <div className="stat">
          <div className="stat-value small">{formatTime(run.createTime)}</div>
          <div className="stat-label">Created</div>
        </div>
        <div className="stat">
          <div className="stat-value small">{formatTime(run.startTime)}</div>
          <div className="stat-label">Started</div>
        </div>
        <div className="stat">
          <div className="stat-value small">{run.startTime ? formatDuration((run.endTime ?? Date.now() / 1000) - run.startTime) : "—"}</div>
          <div className="stat-label">Duration</div>
        </div>
        <div className="stat">
          <div className="stat-value small">{events.length}</div>
          <div className="stat-label">Events</div>
        </div>
      </div>
      {failures.length > 0 && (
        <section className="card error-card" data-testid="run-error">
          <header className="card-header">
            <h2>Error</h2>
          </header>
          <div className="card-body">
            {failures.map((f) => (
              <div key={f.id} className="failure">
                <p className="pre-wrap">
                  <strong>{f.stepKey ?? "run"}</strong>: {f.error!.clsName}: {f.error!.message}
                </p>
                {f.error!.traceback && <pre className="traceback">{f.error!.traceback}</pre>}
              </div>
            ))}
          </div>
        </section>
      )}
      <Section title="Timeline">
        <GanttChart gantt={gantt} stepsWithLogs={stepsWithLogs} onShowLogs={showLogs} />
      </Section>
      {logStep && (
        <Section title="Captured output" id="captured-output" actions={<StreamToggle stream={logStream} onChange={(s) => showLogs(logStep.stepKey, s)} />}>
          <div className="chips" role="tablist" aria-label="Steps with captured output">
            {captured.map((c) => (
              <button key={c.stepKey} role="tab" aria-selected={c === logStep} className={`chip-button mono${c === logStep ? " active" : ""}`} onClick={() => showLogs(c.stepKey)}>
                {c.stepKey}
              </button>
            ))}
          </div>
          <LogViewer key={`${logStep.stepKey}|${logStream}`} runId={runId} stepKey={logStep.stepKey} stream={logStream} downloadUrl={downloadUrl(logStep, logStream)} />
        </Section>
      )}
      <Section
        title={`Event log (${events.length})`}
        actions={<input className="input" placeholder="Filter events" aria-label="Filter events" value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)} />}
      >
        <ErrorBox error={eventsError} />
        <EventTable events={shown} onShowLogs={showLogs} />
      </Section>
    </div>
  );
}

function StreamToggle({ stream, onChange }: { stream: LogStream; onChange: (stream: LogStream) => void }) {
  return (
    <div className="button-row" role="group" aria-label="Stream">
      {(["STDOUT", "STDERR"] as const).map((s) => (
        <button key={s} className={`chip-button${s === stream ? " active" : ""}`} aria-pressed={s === stream} onClick={() => onChange(s)}>
          {s.toLowerCase()}
        </button>
      ))}
    </div>
  );
}

function downloadUrl(step: CapturedOutputRef, stream: LogStream): string {
  return stream === "STDOUT" ? step.stdoutDownloadUrl : step.stderrDownloadUrl;
}

function EventTable({ events, onShowLogs }: { events: RunEventRowFragment[]; onShowLogs: (stepKey: string, stream: LogStream) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  if (!events.length) return <p className="muted">No events yet.</p>;
  return (
    <table className="table top events" data-testid="event-log">
      <thead>
        <tr>
          <th>Time</th>
          <th>Event</th>
          <th>Step</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const hasDetails = e.metadata.length > 0 || !!e.error;
          return (
            <tr key={e.id} className={`event-${e.eventType.toLowerCase()}`} onClick={() => hasDetails && setOpen(open === e.id ? null : e.id)}>
              <td className="nowrap mono">{formatTime(e.timestamp).slice(11)}</td>
              <td>
                <span className={`event-type type-${e.eventType.toLowerCase()}`}>{e.eventType}</span>
              </td>
              <td className="mono">{e.stepKey ?? ""}</td>
              <td>
                {e.assetKey && <span className="chip">{e.assetKey.userString}{e.partition ? ` [${e.partition}]` : ""}</span>}
                {e.checkName && <span className="chip">check {e.checkName}: {e.passed ? "passed" : "failed"}</span>}
                <span className="pre-wrap">{e.message}</span>
                {e.capturedOutput && <CapturedLinks output={e.capturedOutput} onShowLogs={onShowLogs} />}
                {hasDetails && <span className="muted"> {open === e.id ? "▾" : "▸"}</span>}
                {open === e.id && (
                  <div className="event-details">
                    {e.metadata.length > 0 && <MetadataTable entries={e.metadata} />}
                    {e.error && <pre className="traceback">{e.error.clsName}: {e.error.message}{"\n"}{e.error.traceback}</pre>}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function CapturedLinks({ output, onShowLogs }: { output: CapturedOutputRef; onShowLogs: (stepKey: string, stream: LogStream) => void }) {
  const show = (stream: LogStream) => (e: MouseEvent) => {
    e.stopPropagation();
    onShowLogs(output.stepKey, stream);
  };
  return (
    <span className="log-links">
      <button className="link-button" onClick={show("STDOUT")}>
        view stdout
      </button>
      <button className="link-button" onClick={show("STDERR")}>
        view stderr
      </button>
    </span>
  );
}
