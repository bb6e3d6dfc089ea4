// What a lineage node shows, derived from the fragment every graph node requests.
// Every node in the graph view requests this fragment; add fields with care (5,000 nodes).
import { gql } from "../graphql/client";
import type { AssetGraphNodeFragment } from "../graphql/generated";

export const ASSET_GRAPH_NODE_FRAGMENT = gql`
  fragment AssetGraphNode on AssetNode {
    id
    key {
      path
      userString
    }
    groupName
    kinds
    isPartitioned
    isExecutable
    partitionStats {
      total
      materialized
      failed
      inProgress
      missing
    }
    checks {
      name
      latestExecution {
        passed
        severity
      }
    }
    parents {
      id
    }
  }
`;

export type NodeStatus = "materialized" | "partial" | "failed" | "running" | "missing" | "external";

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

export function toGraphAsset(n: AssetGraphNodeFragment): GraphAsset {
  let passed = 0;
  let failed = 0;
  let warned = 0;
  for (const c of n.checks) {
    const e = c.latestExecution;
    if (!e) continue;
    if (e.passed) passed++;
    else if (e.severity === "WARN") warned++;
    else failed++;
  }
  return {
    id: n.id,
    name: n.key.userString,
    path: n.key.path,
    group: n.groupName,
    kinds: n.kinds,
    status: nodeStatus(n.partitionStats, n.isExecutable),
    isPartitioned: n.isPartitioned,
    isExecutable: n.isExecutable,
    total: n.partitionStats.total,
    materialized: n.partitionStats.materialized,
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
