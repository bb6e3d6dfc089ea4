// An asset's checks: latest result and history.
import { MetadataTable } from "../app/components";
import { formatTime } from "../app/format";
import { Link } from "../app/router";
import { gql } from "../graphql/client";
import type { AssetChecksFragment } from "../graphql/generated";

export const ASSET_CHECKS_FRAGMENT = gql`
  fragment AssetChecks on AssetNode {
    checks {
      name
      description
      blocking
      latestExecution {
        ...CheckExecution
      }
      executions(first: 10) {
        ...CheckExecution
      }
    }
  }
  fragment CheckExecution on AssetCheckExecution {
    passed
    severity
    partition
    runId
    timestamp
    description
    metadata {
      label
      type
      value
    }
  }
`;

function Result({ passed, severity }: { passed: boolean; severity: string }) {
  if (passed) return <span className="tag status-success">PASSED</span>;
  return <span className={`tag ${severity === "WARN" ? "status-warn" : "status-failure"}`}>{severity === "WARN" ? "WARNING" : "FAILED"}</span>;
}

export function AssetChecks({ checks }: { checks: AssetChecksFragment["checks"] }) {
  if (!checks.length) return <p className="muted">No checks on this asset.</p>;
  return (
    <div className="checks">
      {checks.map((c) => (
        <details key={c.name} className="check">
          <summary>
            <span className="check-name">{c.name}</span>
            {c.blocking && <span className="tag">blocking</span>}
            {c.latestExecution ? <Result {...c.latestExecution} /> : <span className="tag status-missing">NOT RUN</span>}
            <span className="muted">{c.latestExecution ? formatTime(c.latestExecution.timestamp) : ""}</span>
          </summary>
          {c.description && <p>{c.description}</p>}
          <table className="table top">
            <thead>
              <tr>
                <th>Time</th>
                <th>Result</th>
                <th>Partition</th>
                <th>Run</th>
                <th>Metadata</th>
              </tr>
            </thead>
            <tbody>
              {c.executions.map((e, i) => (
                <tr key={i}>
                  <td>{formatTime(e.timestamp)}</td>
                  <td>
                    <Result {...e} />
                  </td>
                  <td>{e.partition ?? "—"}</td>
                  <td>{e.runId ? <Link to={`/runs/${e.runId}`}>{e.runId.slice(0, 8)}</Link> : "—"}</td>
                  <td>
                    <MetadataTable entries={e.metadata} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}
