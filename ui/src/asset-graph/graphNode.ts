// What a lineage node shows, derived from the fragment every graph node requests.
// Every node in the graph view requests this fragment; add fields with care (5,000 nodes).
import { gql } from "../graphql/client";
import type { AssetGraphStatusFragment, AssetGraphStructureFragment } from "../graphql/generated";

// The lineage page asks twice: first the structure (small, enough to lay out and draw), then the
// statuses, which colour the nodes when they arrive. The key comes from the id
// (`location:raw/orders`), so the structure query stays small for thousands of assets.
export const ASSET_GRAPH_STRUCTURE_FRAGMENT = gql`
  fragment AssetGraphStructure on AssetNode {
    id
    groupName
    kinds
    isExecutable
    parents {
      id
    }
  }
`;

export const ASSET_GRAPH_STATUS_FRAGMENT = gql`
  fragment AssetGraphStatus on AssetNode {
    id
    isPartitioned
    partitionStats {
      total
      materialized
      failed
      inProgress
    }
    checks {
      latestExecution {
        passed
        severity
      }
    }
  }
`;

export type NodeStatus = "materialized" | "partial" | "failed" | "running" | "missing" | "external" | "loading";

export interface GraphAsset {
  id: string;
  name: string;
  path: string[];
  group: string;
  kinds: string[];
  status: NodeStatus;
  isPartitioned: boolean;
  isExecutable: boolean;
  total: number;
  materialized: number;
  checksPassed: number;
  checksFailed: number;
  checksWarned: number;
  parents: string[];
}

export function nodeStatus(s: { total: number; materialized: number; failed: number; inProgress: number }, isExecutable = true): NodeStatus {
  if (s.inProgress > 0) return "running";
  if (s.failed > 0) return "failed";
  if (s.total > 0 && s.materialized >= s.total) return "materialized";
  if (s.materialized > 0) return "partial";
  return isExecutable ? "missing" : "external";
}

/** `location:raw/orders` → `raw/orders`. */
export function keyOfId(id: string): string {
  const colon = id.indexOf(":");
  return colon >= 0 ? id.slice(colon + 1) : id;
}

export function toGraphAsset(n: AssetGraphStructureFragment, status: AssetGraphStatusFragment | undefined): GraphAsset {
  let passed = 0;
  let failed = 0;
  let warned = 0;
  for (const c of status?.checks ?? []) {
    const e = c.latestExecution;
    if (!e) continue;
    if (e.passed) passed++;
    else if (e.severity === "WARN") warned++;
    else failed++;
  }
  const name = keyOfId(n.id);
  const stats = status?.partitionStats;
  return {
    id: n.id,
    name,
    path: name.split("/"),
    group: n.groupName,
    kinds: n.kinds,
    status: stats ? nodeStatus(stats, n.isExecutable) : n.isExecutable ? "loading" : "external",
    isPartitioned: status?.isPartitioned ?? false,
    isExecutable: n.isExecutable,
    total: stats?.total ?? 0,
    materialized: stats?.materialized ?? 0,
    checksPassed: passed,
    checksFailed: failed,
    checksWarned: warned,
    parents: n.parents.map((p) => p.id),
  };
}

/** The selection string that picks exactly these assets. */
export function selectionForKeys(keys: readonly string[]): string {
  return keys.map((k) => `key:"${k.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" or ");
}
