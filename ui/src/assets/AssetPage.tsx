// One asset: definition, partitions, materialisations with a metadata chart, checks, lineage.
import { useState } from "react";
import { Empty, ErrorBox, Loading, MetadataTable, Section, StatusTag } from "../app/components";
import { describePartitions, formatCount, formatTime } from "../app/format";
import { assetPath, Link } from "../app/router";
import { useQuery } from "../app/useQuery";
import { nodeStatus, selectionForKeys } from "../asset-graph/graphNode";
import { gql } from "../graphql/client";
import type { AssetHistoryQuery, AssetPageQuery } from "../graphql/generated";
import { ASSET_CHECKS_FRAGMENT, AssetChecks } from "./AssetChecks";
import { ColumnLineage } from "./ColumnLineage";
import { MaterializeDialog } from "./MaterializeDialog";
import { MetadataChart } from "./MetadataChart";
import { PARTITION_STATUS_BAR_FRAGMENT, PartitionStatusBar } from "./PartitionStatusBar";

const ASSET_PAGE_QUERY = gql`
  query AssetPage($key: [String!]!) {
    assetNode(key: $key) {
      id
      key {
        path
        userString
      }
      groupName
      description
      kinds
      owners
      tags {
        key
        value
      }
      metadata {
        label
        type
        value
      }
      codeVersion
      location
      source {
        file
        line
      }
      isExecutable
      isExternal
      isPartitioned
      jobNames
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
        inProgress
        missing
      }
      ...PartitionStatusBar
      parents {
        key {
          path
          userString
        }
      }
      children {
        key {
          path
          userString
        }
      }
    }
  }
  ${PARTITION_STATUS_BAR_FRAGMENT}
`;

// History is asked for separately, so the definition and the partition status bar (one indexed
// read on the server) show before materializations and checks are read.
const ASSET_HISTORY_QUERY = gql`
  query AssetHistory($key: [String!]!) {
    assetNode(key: $key) {
      id
      materializations(first: 50) {
        id
        runId
        timestamp
        partition
        partitionRange {
          start
          end
        }
        description
        metadata {
          label
          type
          value
        }
      }
      ...AssetChecks
    }
  }
  ${ASSET_CHECKS_FRAGMENT}
`;

export function AssetPage({ path }: { path: string[] }) {
  const { data, error, loading } = useQuery<AssetPageQuery>(ASSET_PAGE_QUERY, { key: path }, { pollMs: 4000 });
  // Asked once the page's own query answered, so the two do not compete on a busy server.
  const history = useQuery<AssetHistoryQuery>(ASSET_HISTORY_QUERY, { key: path }, { pollMs: 4000, skip: !data });
  const [materialize, setMaterialize] = useState(false);
  const asset = data?.assetNode;
  const materializations = history.data?.assetNode?.materializations;
  const checks = history.data?.assetNode?.checks;
  if (error && !data) return <ErrorBox error={error} title="Could not load the asset" />;
  if (loading && !data) return <Loading />;
  if (!asset) return <Empty>No asset {path.join("/")} in any loaded code location.</Empty>;
  const stats = asset.partitionStats;
  const status = nodeStatus(stats, asset.isExecutable);
  const latest = materializations?.[0];
  const columnLineage = latest?.metadata.find((m) => m.label === "column_lineage")?.value;

  return (
    <div className="page asset-page">
      <header className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/">Lineage</Link> / <span>{asset.groupName}</span>
          </div>
          <h1 data-testid="asset-title">{asset.key.userString}</h1>
          <div className="chips">
            <StatusTag status={status} />
            {asset.kinds.map((k) => (
              <span key={k} className="chip">
                {k}
              </span>
            ))}
            {asset.isExternal && <span className="chip">external</span>}
          </div>
        </div>
        <div className="button-row">
          {asset.isExecutable && (
            <button className="button primary" onClick={() => setMaterialize(true)} data-testid="materialize">
              Materialize{asset.isPartitioned ? "…" : ""}
            </button>
          )}
        </div>
      </header>
      <div className="grid-2">
        <div className="column">
          {asset.isPartitioned && (
            <Section title="Partitions" id="partitions">
              <p className="muted">{asset.partitionsDefinition && describePartitions(asset.partitionsDefinition)}</p>
              <PartitionStatusBar ranges={asset.partitionStatusRanges} testId="partition-status-bar" />
              <div className="stats" data-testid="partition-stats">
                <Stat label="Total" value={stats.total} />
                <Stat label="Materialized" value={stats.materialized} className="ok" />
                <Stat label="Failed" value={stats.failed} className="bad" />
                <Stat label="In progress" value={stats.inProgress} className="running" />
                <Stat label="Missing" value={stats.missing} />
              </div>
            </Section>
          )}
          <Section title="Materializations" id="materializations">
            {!materializations ? (
              <div className="placeholder" />
            ) : materializations.length === 0 ? (
              <p className="muted">Never materialized.</p>
            ) : (
              <>
                <MetadataChart points={materializations} />
                <table className="table top">
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th>Partition</th>
                      <th>Run</th>
                      <th>Metadata</th>
                    </tr>
                  </thead>
                  <tbody>
                    {materializations.map((m) => (
                      <tr key={m.id}>
                        <td className="nowrap">{formatTime(m.timestamp)}</td>
                        <td>{m.partitionRange ? `${m.partitionRange.start} … ${m.partitionRange.end}` : (m.partition ?? "—")}</td>
                        <td>{m.runId ? <Link to={`/runs/${m.runId}`}>{m.runId.slice(0, 8)}</Link> : "reported"}</td>
                        <td>
                          <MetadataTable entries={m.metadata.filter((e) => e.label !== "column_lineage")} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Section>
          <Section title="Checks" id="checks">
            {checks ? <AssetChecks checks={checks} /> : <div className="placeholder small" />}
          </Section>
          {columnLineage != null && (
            <Section title="Column lineage">
              <ColumnLineage value={columnLineage} />
            </Section>
          )}
        </div>
        <div className="column side">
          <Section title="About">
            {asset.description ? <p className="pre-wrap">{asset.description}</p> : <p className="muted">No description.</p>}
            <table className="kv">
              <tbody>
                <tr>
                  <th>Group</th>
                  <td>{asset.groupName}</td>
                </tr>
                <tr>
                  <th>Code location</th>
                  <td>{asset.location}</td>
                </tr>
                <tr>
                  <th>Defined at</th>
                  <td className="mono break">{asset.source ? `${asset.source.file}${asset.source.line ? `:${asset.source.line}` : ""}` : "—"}</td>
                </tr>
                <tr>
                  <th>Code version</th>
                  <td className="mono">{asset.codeVersion ?? "—"}</td>
                </tr>
                <tr>
                  <th>Owners</th>
                  <td>{asset.owners.length ? asset.owners.join(", ") : "—"}</td>
                </tr>
                <tr>
                  <th>Tags</th>
                  <td>
                    {asset.tags.length
                      ? asset.tags.map((t) => (
                          <span key={t.key} className="chip">
                            {t.key}={t.value}
                          </span>
                        ))
                      : "—"}
                  </td>
                </tr>
                <tr>
                  <th>Jobs</th>
                  <td>{asset.jobNames.length ? asset.jobNames.join(", ") : "—"}</td>
                </tr>
                <tr>
                  <th>Latest</th>
                  <td>{latest ? formatTime(latest.timestamp) : materializations ? "never" : "…"}</td>
                </tr>
              </tbody>
            </table>
          </Section>
          <Section title="Definition metadata">
            <MetadataTable entries={asset.metadata} />
          </Section>
          <Section title="Lineage">
            <h3>Upstream ({asset.parents.length})</h3>
            <AssetList keys={asset.parents.map((p) => p.key)} />
            <h3>Downstream ({asset.children.length})</h3>
            <AssetList keys={asset.children.map((p) => p.key)} />
            <Link className="link-button" to={`/?select=${encodeURIComponent(`+${selectionForKeys([asset.key.userString])}+`)}`}>
              Show in the lineage graph
            </Link>
          </Section>
        </div>
      </div>
      {materialize && (
        <MaterializeDialog selection={selectionForKeys([asset.key.userString])} title={`Materialize ${asset.key.userString}`} onClose={() => setMaterialize(false)} />
      )}
    </div>
  );
}

function Stat({ label, value, className }: { label: string; value: number; className?: string }) {
  return (
    <div className={`stat ${className ?? ""}`}>
      <div className="stat-value">{formatCount(value)}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

function AssetList({ keys }: { keys: { path: string[]; userString: string }[] }) {
  if (!keys.length) return <p className="muted">None</p>;
  return (
    <ul className="plain-list">
      {keys.map((k) => (
        <li key={k.userString}>
          <Link to={assetPath(k.path)}>{k.userString}</Link>
        </li>
      ))}
    </ul>
  );
}
