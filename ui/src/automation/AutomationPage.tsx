// Schedules and sensors: on/off toggles and their recent ticks.
import { Empty, ErrorBox, Loading, Section, StatusTag } from "../app/components";
import { formatTime } from "../app/format";
import { Link } from "../app/router";
import { useMutation, useQuery } from "../app/useQuery";
import { gql } from "../graphql/client";
import type { AutomationPageQuery, TickRowFragment } from "../graphql/generated";

const TICK_ROW_FRAGMENT = gql`
  fragment TickRow on Tick {
    id
    status
    timestamp
    runIds
    skipReason
    error
    cursor
  }
`;

const AUTOMATION_PAGE_QUERY = gql`
  query AutomationPage {
    schedules {
      name
      location
      status
      cronSchedule
      executionTimezone
      jobName
      description
      ticks(first: 10) {
        ...TickRow
      }
    }
    sensors {
      name
      location
      status
      minimumIntervalSeconds
      jobName
      description
      ticks(first: 10) {
        ...TickRow
      }
    }
  }
  ${TICK_ROW_FRAGMENT}
`;

const TOGGLE_MUTATIONS = {
  startSchedule: gql`
    mutation StartSchedule($name: String!) {
      startSchedule(name: $name) {
        name
        status
      }
    }
  `,
  stopSchedule: gql`
    mutation StopSchedule($name: String!) {
      stopSchedule(name: $name) {
        name
        status
      }
    }
  `,
  startSensor: gql`
    mutation StartSensor($name: String!) {
      startSensor(name: $name) {
        name
        status
      }
    }
  `,
  stopSensor: gql`
    mutation StopSensor($name: String!) {
      stopSensor(name: $name) {
        name
        status
      }
    }
  `,
};

function Toggle({ kind, name, running, onDone }: { kind: "Schedule" | "Sensor"; name: string; running: boolean; onDone: () => void }) {
  const m = useMutation(TOGGLE_MUTATIONS[`${running ? "stop" : "start"}${kind}`]);
  return (
    <>
      <button
        role="switch"
        aria-checked={running}
        aria-label={`${running ? "Stop" : "Start"} ${name}`}
        className={`switch${running ? " on" : ""}`}
        disabled={m.pending}
        onClick={async () => {
          await m.mutate({ name });
          onDone();
        }}
      >
        <span className="knob" />
      </button>
      {m.error && <ErrorBox error={m.error} />}
    </>
  );
}

function Ticks({ ticks }: { ticks: TickRowFragment[] }) {
  if (!ticks.length) return <p className="muted">No ticks yet.</p>;
  return (
    <table className="table compact">
      <tbody>
        {ticks.map((t) => (
          <tr key={t.id}>
            <td className="nowrap">{formatTime(t.timestamp)}</td>
            <td>
              <StatusTag status={t.status} />
            </td>
            <td>
              {t.runIds.map((r) => (
                <Link key={r} className="chip mono" to={`/runs/${r}`}>
                  {r.slice(0, 8)}
                </Link>
              ))}
              {t.skipReason && <span className="muted">{t.skipReason}</span>}
              {t.error && <pre className="traceback small">{t.error}</pre>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AutomationPage() {
  const { data, error, loading, refetch } = useQuery<AutomationPageQuery>(AUTOMATION_PAGE_QUERY, {}, { pollMs: 5000 });
  return (
    <div className="page">
      <header className="page-header">
        <h1>Automation</h1>
      </header>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <Section title={`Schedules (${data.schedules.length})`}>
            {data.schedules.length === 0 && <Empty>No schedules in the loaded code locations.</Empty>}
            {data.schedules.map((s) => (
              <details key={`${s.location}:${s.name}`} className="instigator">
                <summary>
                  <Toggle kind="Schedule" name={s.name} running={s.status === "RUNNING"} onDone={refetch} />
                  <strong>{s.name}</strong>
                  <code>{s.cronSchedule}</code>
                  <span className="muted">
                    {s.executionTimezone} · {s.jobName ?? ""} · {s.location}
                  </span>
                  <span className="muted right">{s.ticks[0] ? `last tick ${formatTime(s.ticks[0].timestamp)}` : "never ticked"}</span>
                </summary>
                {s.description && <p>{s.description}</p>}
                <Ticks ticks={s.ticks} />
              </details>
            ))}
          </Section>
          <Section title={`Sensors (${data.sensors.length})`}>
            {data.sensors.length === 0 && <Empty>No sensors in the loaded code locations.</Empty>}
            {data.sensors.map((s) => (
              <details key={`${s.location}:${s.name}`} className="instigator">
                <summary>
                  <Toggle kind="Sensor" name={s.name} running={s.status === "RUNNING"} onDone={refetch} />
                  <strong>{s.name}</strong>
                  <span className="muted">
                    every {s.minimumIntervalSeconds ?? 30} s · {s.jobName ?? ""} · {s.location}
                  </span>
                  <span className="muted right">{s.ticks[0] ? `last tick ${formatTime(s.ticks[0].timestamp)}` : "never ticked"}</span>
                </summary>
                {s.description && <p>{s.description}</p>}
                <Ticks ticks={s.ticks} />
              </details>
            ))}
          </Section>
        </>
      )}
    </div>
  );
}
