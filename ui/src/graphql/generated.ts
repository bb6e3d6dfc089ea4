/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type BackfillStatus =
  | 'CANCELED'
  | 'CANCELING'
  | 'COMPLETED'
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'REQUESTED';

/** The event types of the event log, named as in storage and the UI. */
export type EventType =
  | 'ASSET_CHECK_EVALUATION'
  | 'ASSET_CHECK_EVALUATION_PLANNED'
  | 'ASSET_MATERIALIZATION'
  | 'ASSET_MATERIALIZATION_FAILED'
  | 'ASSET_MATERIALIZATION_PLANNED'
  | 'ASSET_OBSERVATION'
  | 'LOG_MESSAGE'
  | 'RUN_CANCELED'
  | 'RUN_CANCELING'
  | 'RUN_ENQUEUED'
  | 'RUN_FAILURE'
  | 'RUN_START'
  | 'RUN_STARTING'
  | 'RUN_SUCCESS'
  | 'STEP_FAILURE'
  | 'STEP_SKIPPED'
  | 'STEP_START'
  | 'STEP_SUCCESS'
  | 'STEP_UP_FOR_RETRY';

/** A step's standard output or standard error. */
export type LogStream =
  | 'STDERR'
  | 'STDOUT';

/** An inclusive range of partition keys. */
export type PartitionRangeInput = {
  end: string;
  start: string;
};

/** A partition's status: in progress wins over failed, failed over materialized. */
export type PartitionStatus =
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'MATERIALIZED'
  | 'MISSING';

export type RunStatus =
  | 'CANCELED'
  | 'CANCELING'
  | 'FAILURE'
  | 'QUEUED'
  | 'STARTED'
  | 'STARTING'
  | 'SUCCESS';

export type AssetGraphStructureQueryVariables = Exact<{ [key: string]: never; }>;


export type AssetGraphStructureQuery = { assetNodes: Array<{ id: string, groupName: string, kinds: Array<string>, isExecutable: boolean, parents: Array<{ id: string }> }> };

export type AssetGraphStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type AssetGraphStatusQuery = { assetNodes: Array<{ id: string, isPartitioned: boolean, partitionStats: { total: number, materialized: number, failed: number, inProgress: number }, checks: Array<{ latestExecution: { passed: boolean, severity: string } | null }> }> };

export type AssetSelectionQueryVariables = Exact<{
  selection: string;
}>;


export type AssetSelectionQuery = { assetNodes: Array<{ id: string }> };

export type AssetGraphStructureFragment = { id: string, groupName: string, kinds: Array<string>, isExecutable: boolean, parents: Array<{ id: string }> };

export type AssetGraphStatusFragment = { id: string, isPartitioned: boolean, partitionStats: { total: number, materialized: number, failed: number, inProgress: number }, checks: Array<{ latestExecution: { passed: boolean, severity: string } | null }> };

export type AssetChecksFragment = { checks: Array<{ name: string, description: string | null, blocking: boolean, latestExecution: { passed: boolean, severity: string, partition: string | null, runId: string | null, timestamp: number, description: string | null, metadata: Array<{ label: string, type: string, value: unknown }> } | null, executions: Array<{ passed: boolean, severity: string, partition: string | null, runId: string | null, timestamp: number, description: string | null, metadata: Array<{ label: string, type: string, value: unknown }> }> }> };

export type CheckExecutionFragment = { passed: boolean, severity: string, partition: string | null, runId: string | null, timestamp: number, description: string | null, metadata: Array<{ label: string, type: string, value: unknown }> };

export type AssetPageQueryVariables = Exact<{
  key: Array<string> | string;
}>;


export type AssetPageQuery = { assetNode: { id: string, groupName: string, description: string | null, kinds: Array<string>, owners: Array<string>, codeVersion: string | null, location: string, isExecutable: boolean, isExternal: boolean, isPartitioned: boolean, jobNames: Array<string>, key: { path: Array<string>, userString: string }, tags: Array<{ key: string, value: string }>, metadata: Array<{ label: string, type: string, value: unknown }>, source: { file: string, line: number | null } | null, partitionsDefinition: { type: string, description: string, cronSchedule: string | null, start: string | null, end: string | null, timezone: string | null } | null, partitionStats: { total: number, materialized: number, failed: number, inProgress: number, missing: number }, parents: Array<{ key: { path: Array<string>, userString: string } }>, children: Array<{ key: { path: Array<string>, userString: string } }>, partitionStatusRanges: Array<{ start: string, end: string, status: PartitionStatus, count: number }> } | null };

export type AssetHistoryQueryVariables = Exact<{
  key: Array<string> | string;
}>;


export type AssetHistoryQuery = { assetNode: { id: string, materializations: Array<{ id: string, runId: string | null, timestamp: number, partition: string | null, description: string | null, partitionRange: { start: string, end: string } | null, metadata: Array<{ label: string, type: string, value: unknown }> }>, checks: Array<{ name: string, description: string | null, blocking: boolean, latestExecution: { passed: boolean, severity: string, partition: string | null, runId: string | null, timestamp: number, description: string | null, metadata: Array<{ label: string, type: string, value: unknown }> } | null, executions: Array<{ passed: boolean, severity: string, partition: string | null, runId: string | null, timestamp: number, description: string | null, metadata: Array<{ label: string, type: string, value: unknown }> }> }> } | null };

export type MaterializeTargetsQueryVariables = Exact<{
  selection: string;
}>;


export type MaterializeTargetsQuery = { assetNodes: Array<{ id: string, isExecutable: boolean, isPartitioned: boolean, key: { userString: string }, partitionsDefinition: { type: string, description: string, cronSchedule: string | null, start: string | null, end: string | null, timezone: string | null } | null, partitionStats: { total: number, materialized: number, failed: number, missing: number }, partitionStatusRanges: Array<{ start: string, end: string, status: PartitionStatus, count: number }> }> };

export type LaunchRunMutationVariables = Exact<{
  selection: string;
  partitionKey?: string | null | undefined;
}>;


export type LaunchRunMutation = { launchRun: { id: string, status: RunStatus } };

export type LaunchBackfillMutationVariables = Exact<{
  selection: string;
  partitionRange?: PartitionRangeInput | null | undefined;
  partitionKeys?: Array<string> | string | null | undefined;
  failedAndMissingOnly?: boolean;
}>;


export type LaunchBackfillMutation = { launchBackfill: { id: string, status: BackfillStatus } };

export type PartitionStatusBarFragment = { partitionStatusRanges: Array<{ start: string, end: string, status: PartitionStatus, count: number }> };

export type TickRowFragment = { id: string, status: string, timestamp: number, runIds: Array<string>, skipReason: string | null, error: string | null, cursor: string | null };

export type AutomationPageQueryVariables = Exact<{ [key: string]: never; }>;


export type AutomationPageQuery = { schedules: Array<{ name: string, location: string, status: string, cronSchedule: string | null, executionTimezone: string | null, jobName: string | null, description: string | null, ticks: Array<{ id: string, status: string, timestamp: number, runIds: Array<string>, skipReason: string | null, error: string | null, cursor: string | null }> }>, sensors: Array<{ name: string, location: string, status: string, minimumIntervalSeconds: number | null, jobName: string | null, description: string | null, ticks: Array<{ id: string, status: string, timestamp: number, runIds: Array<string>, skipReason: string | null, error: string | null, cursor: string | null }> }> };

export type StartScheduleMutationVariables = Exact<{
  name: string;
}>;


export type StartScheduleMutation = { startSchedule: { name: string, status: string } };

export type StopScheduleMutationVariables = Exact<{
  name: string;
}>;


export type StopScheduleMutation = { stopSchedule: { name: string, status: string } };

export type StartSensorMutationVariables = Exact<{
  name: string;
}>;


export type StartSensorMutation = { startSensor: { name: string, status: string } };

export type StopSensorMutationVariables = Exact<{
  name: string;
}>;


export type StopSensorMutation = { stopSensor: { name: string, status: string } };

export type BackfillPageQueryVariables = Exact<{
  id: string;
}>;


export type BackfillPageQuery = { backfill: { id: string, status: BackfillStatus, createTime: number, selection: Array<string>, partitionKeys: Array<string> | null, tags: Array<{ key: string, value: string }>, partitionStatuses: { nodes: Array<{ partition: string, status: string, runId: string | null }>, pageInfo: { hasNextPage: boolean } }, runs: Array<{ id: string, status: RunStatus, createTime: number, startTime: number | null, endTime: number | null, partitionKey: string | null, backfillId: string | null, jobName: string | null, partitionRange: { start: string, end: string } | null, assetSelection: Array<{ path: Array<string>, userString: string }> }>, assetSelection: Array<{ userString: string }>, partitionRange: { start: string, end: string } | null, partitionStatusCounts: Array<{ status: string, count: number }> } | null };

export type CancelBackfillMutationVariables = Exact<{
  backfillId: string;
}>;


export type CancelBackfillMutation = { cancelBackfill: { id: string, status: BackfillStatus } };

export type ResumeBackfillMutationVariables = Exact<{
  backfillId: string;
}>;


export type ResumeBackfillMutation = { resumeBackfill: { id: string, status: BackfillStatus } };

export type BackfillSummaryFragment = { id: string, status: BackfillStatus, createTime: number, selection: Array<string>, partitionKeys: Array<string> | null, assetSelection: Array<{ userString: string }>, partitionRange: { start: string, end: string } | null, partitionStatusCounts: Array<{ status: string, count: number }> };

export type BackfillsPageQueryVariables = Exact<{ [key: string]: never; }>;


export type BackfillsPageQuery = { backfills: Array<{ id: string, status: BackfillStatus, createTime: number, selection: Array<string>, partitionKeys: Array<string> | null, assetSelection: Array<{ userString: string }>, partitionRange: { start: string, end: string } | null, partitionStatusCounts: Array<{ status: string, count: number }> }> };

export type LocationsPageQueryVariables = Exact<{ [key: string]: never; }>;


export type LocationsPageQuery = { codeLocations: Array<{ name: string, status: string, error: string | null, snapshotId: string | null, assetCount: number }> };

export type ReloadCodeLocationMutationVariables = Exact<{
  name: string;
}>;


export type ReloadCodeLocationMutation = { reloadCodeLocation: { name: string, status: string, error: string | null } };

export type CapturedLogsQueryVariables = Exact<{
  runId: string;
  stepKey: string;
  stream: LogStream;
  cursor?: string | null | undefined;
  fromEnd: boolean;
}>;


export type CapturedLogsQuery = { capturedLogs: { data: string, start: number, cursor: string, size: number, hasMore: boolean, isComplete: boolean, exists: boolean } | null };

export type RunPageQueryVariables = Exact<{
  id: string;
}>;


export type RunPageQuery = { run: { id: string, status: RunStatus, createTime: number, startTime: number | null, endTime: number | null, partitionKey: string | null, jobName: string | null, parentRunId: string | null, rootRunId: string | null, backfillId: string | null, codeLocation: string | null, canCancel: boolean, partitionRange: { start: string, end: string } | null, assetSelection: Array<{ path: Array<string>, userString: string }>, tags: Array<{ key: string, value: string }> } | null };

export type CancelRunMutationVariables = Exact<{
  runId: string;
}>;


export type CancelRunMutation = { cancelRun: { id: string, status: RunStatus } };

export type ReexecuteRunMutationVariables = Exact<{
  runId: string;
  fromFailure: boolean;
}>;


export type ReexecuteRunMutation = { reexecuteRun: { id: string } };

export type RunRowFragment = { id: string, status: RunStatus, createTime: number, startTime: number | null, endTime: number | null, partitionKey: string | null, backfillId: string | null, jobName: string | null, partitionRange: { start: string, end: string } | null, assetSelection: Array<{ path: Array<string>, userString: string }> };

export type RunsPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  status?: Array<RunStatus> | RunStatus | null | undefined;
}>;


export type RunsPageQuery = { runs: { nodes: Array<{ id: string, status: RunStatus, createTime: number, startTime: number | null, endTime: number | null, partitionKey: string | null, backfillId: string | null, jobName: string | null, partitionRange: { start: string, end: string } | null, assetSelection: Array<{ path: Array<string>, userString: string }> }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type RunEventRowFragment = { id: string, eventType: EventType, timestamp: number, stepKey: string | null, message: string, level: string | null, partition: string | null, checkName: string | null, passed: boolean | null, assetKey: { path: Array<string>, userString: string } | null, metadata: Array<{ label: string, type: string, value: unknown }>, error: { message: string, clsName: string, traceback: string } | null, capturedOutput: { stepKey: string, stdoutDownloadUrl: string, stderrDownloadUrl: string } | null };

export type RunEventsQueryVariables = Exact<{
  runId: string;
  after?: string | null | undefined;
}>;


export type RunEventsQuery = { runEvents: { nodes: Array<{ id: string, eventType: EventType, timestamp: number, stepKey: string | null, message: string, level: string | null, partition: string | null, checkName: string | null, passed: boolean | null, assetKey: { path: Array<string>, userString: string } | null, metadata: Array<{ label: string, type: string, value: unknown }>, error: { message: string, clsName: string, traceback: string } | null, capturedOutput: { stepKey: string, stdoutDownloadUrl: string, stderrDownloadUrl: string } | null }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type RunEventsLiveSubscriptionVariables = Exact<{
  runId: string;
  after?: string | null | undefined;
}>;


export type RunEventsLiveSubscription = { runEvents: { endCursor: string | null, isFinished: boolean, nodes: Array<{ id: string, eventType: EventType, timestamp: number, stepKey: string | null, message: string, level: string | null, partition: string | null, checkName: string | null, passed: boolean | null, assetKey: { path: Array<string>, userString: string } | null, metadata: Array<{ label: string, type: string, value: unknown }>, error: { message: string, clsName: string, traceback: string } | null, capturedOutput: { stepKey: string, stdoutDownloadUrl: string, stderrDownloadUrl: string } | null }> } };
