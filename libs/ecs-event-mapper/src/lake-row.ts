import type { AuditRecord } from './audit-record';
import { MAX_KEPT_DETAIL_LENGTH } from './audit-record';

/** A Glue/Athena column type, as written in a table definition. */
export type LakeColumnType =
  | 'string'
  | 'int'
  | 'bigint'
  | 'boolean'
  | 'array<string>'
  | typeof CONTAINERS_TYPE
  | typeof HEALTH_CHECKS_TYPE;

/** One column of the S3 lake table. */
export interface LakeColumn {
  name: string;
  type: LakeColumnType;
  comment: string;
}

const CONTAINERS_TYPE =
  'array<struct<name:string,image:string,image_digest:string,runtime_id:string,last_status:string,exit_code:int,reason:string>>';

const HEALTH_CHECKS_TYPE =
  'array<struct<type:string,status:string,status_reason:string,last_status_change:string,last_updated:string>>';

/** A container instance health check inside a lake row. */
export interface LakeHealthCheck {
  type: string;
  status: string | null;
  status_reason: string | null;
  last_status_change: string | null;
  last_updated: string | null;
}

/** A container inside a lake row. */
export interface LakeContainer {
  name: string;
  image: string | null;
  /** Schema 2. */
  image_digest: string | null;
  /** Schema 2. */
  runtime_id: string | null;
  last_status: string | null;
  exit_code: number | null;
  reason: string | null;
}

/** A flat lake row: every declared column present, `null` where the record has no value. */
export type LakeRow = Record<
  string,
  string | number | boolean | string[] | LakeContainer[] | LakeHealthCheck[] | null
>;

interface ColumnDefinition extends LakeColumn {
  value: (record: AuditRecord) => LakeRow[string] | undefined;
}

const ISO = 'ISO-8601 UTC timestamp string; query with from_iso8601_timestamp()';

/**
 * The lake's columns and how each is read from a record: one list, so rows and the Glue schema
 * cannot drift apart. Column names are snake_case and avoid SQL reserved words (`task_group`).
 */
const COLUMN_DEFINITIONS: readonly ColumnDefinition[] = [
  {
    name: 'schema_version',
    type: 'int',
    comment: 'AuditRecord schema version',
    value: (r) => r.schemaVersion,
  },
  {
    name: 'record_id',
    type: 'string',
    comment: 'Deterministic id of the state change',
    value: (r) => r.recordId,
  },
  {
    name: 'record_type',
    type: 'string',
    comment: 'task | container-instance | service-action | deployment | api-call | ecs-event',
    value: (r) => r.recordType,
  },
  { name: 'source', type: 'string', comment: 'eventbridge | cloudtrail', value: (r) => r.source },
  {
    name: 'event_time',
    type: 'string',
    comment: `When the change happened; ${ISO}`,
    value: (r) => r.eventTime,
  },
  { name: 'account', type: 'string', comment: 'AWS account id', value: (r) => r.account },
  { name: 'region', type: 'string', comment: 'AWS region', value: (r) => r.region },
  { name: 'cluster_arn', type: 'string', comment: 'ECS cluster ARN', value: (r) => r.clusterArn },
  {
    name: 'cluster_name',
    type: 'string',
    comment: 'ECS cluster name',
    value: (r) => r.clusterName,
  },
  {
    name: 'resource_arn',
    type: 'string',
    comment: 'The task, container instance or service the record is about',
    value: (r) => r.resourceArn,
  },
  {
    name: 'task_id',
    type: 'string',
    comment: 'Task id (last part of the task ARN)',
    value: (r) => r.taskId,
  },
  {
    name: 'task_definition_arn',
    type: 'string',
    comment: 'Task definition ARN',
    value: (r) => r.taskDefinitionArn,
  },
  { name: 'family', type: 'string', comment: 'Task definition family', value: (r) => r.family },
  { name: 'revision', type: 'int', comment: 'Task definition revision', value: (r) => r.revision },
  {
    name: 'service_name',
    type: 'string',
    comment: 'ECS service name',
    value: (r) => r.serviceName,
  },
  {
    name: 'task_group',
    type: 'string',
    comment: 'ECS task group (service:NAME or family:NAME)',
    value: (r) => r.group,
  },
  {
    name: 'started_by',
    type: 'string',
    comment: 'startedBy (ecs-svc/… for services, events-rule/… for schedules)',
    value: (r) => r.startedBy,
  },
  {
    name: 'launch_type',
    type: 'string',
    comment: 'EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES',
    value: (r) => r.launchType,
  },
  {
    name: 'capacity_provider_name',
    type: 'string',
    comment: 'Capacity provider',
    value: (r) => r.capacityProviderName,
  },
  // Provenance (schema 2): null in rows of schema-1 records.
  {
    name: 'platform_version',
    type: 'string',
    comment: 'Fargate platform version',
    value: (r) => r.platformVersion,
  },
  {
    name: 'container_instance_arn',
    type: 'string',
    comment: 'Container instance the task ran on (EC2, External, Managed Instances)',
    value: (r) => r.containerInstanceArn,
  },
  {
    name: 'eni_id',
    type: 'string',
    comment: 'Task ENI id (awsvpc network mode)',
    value: (r) => r.network?.interfaceId,
  },
  {
    name: 'private_ipv4',
    type: 'string',
    comment: 'Task ENI private IPv4 address',
    value: (r) => r.network?.privateIpv4,
  },
  {
    name: 'ipv6',
    type: 'string',
    comment: 'Task ENI IPv6 address, lower case',
    value: (r) => r.network?.ipv6,
  },
  {
    name: 'subnet_id',
    type: 'string',
    comment: 'Task ENI subnet',
    value: (r) => r.network?.subnetId,
  },
  {
    name: 'mac_address',
    type: 'string',
    comment: 'Task ENI MAC address, lower case',
    value: (r) => r.network?.macAddress,
  },
  {
    name: 'private_dns_name',
    type: 'string',
    comment: 'Task ENI private DNS name',
    value: (r) => r.network?.privateDnsName,
  },
  {
    name: 'availability_zone',
    type: 'string',
    comment: 'Availability Zone',
    value: (r) => r.availabilityZone,
  },
  {
    name: 'cpu',
    type: 'string',
    comment: 'Task CPU units, as ECS reports them',
    value: (r) => r.cpu,
  },
  {
    name: 'memory',
    type: 'string',
    comment: 'Task memory (MiB), as ECS reports it',
    value: (r) => r.memory,
  },
  {
    name: 'last_status',
    type: 'string',
    comment: 'Task lastStatus or container instance status',
    value: (r) => r.lastStatus,
  },
  {
    name: 'desired_status',
    type: 'string',
    comment: 'Task desiredStatus',
    value: (r) => r.desiredStatus,
  },
  {
    name: 'version',
    type: 'bigint',
    comment: 'ECS per-resource version: higher is later',
    value: (r) => r.version,
  },
  {
    name: 'created_at',
    type: 'string',
    comment: `Task created; ${ISO}`,
    value: (r) => r.createdAt,
  },
  {
    name: 'pull_started_at',
    type: 'string',
    comment: `Image pull started; ${ISO}`,
    value: (r) => r.pullStartedAt,
  },
  {
    name: 'pull_stopped_at',
    type: 'string',
    comment: `Image pull finished; ${ISO}`,
    value: (r) => r.pullStoppedAt,
  },
  {
    name: 'started_at',
    type: 'string',
    comment: `Task started running; ${ISO}`,
    value: (r) => r.startedAt,
  },
  {
    name: 'stopping_at',
    type: 'string',
    comment: `Task began stopping; ${ISO}`,
    value: (r) => r.stoppingAt,
  },
  {
    name: 'stopped_at',
    type: 'string',
    comment: `Task stopped; ${ISO}`,
    value: (r) => r.stoppedAt,
  },
  { name: 'pull_ms', type: 'bigint', comment: 'Image pull duration (ms)', value: (r) => r.pullMs },
  {
    name: 'pending_ms',
    type: 'bigint',
    comment: 'Created to started (ms)',
    value: (r) => r.pendingMs,
  },
  { name: 'run_ms', type: 'bigint', comment: 'Started to stopped (ms)', value: (r) => r.runMs },
  { name: 'stop_code', type: 'string', comment: 'ECS stopCode', value: (r) => r.stopCode },
  {
    name: 'stopped_reason',
    type: 'string',
    comment: 'ECS stoppedReason, verbatim',
    value: (r) => r.stoppedReason,
  },
  {
    name: 'containers',
    type: CONTAINERS_TYPE,
    comment: 'Containers with images, digests, exit codes and reasons',
    value: (r) =>
      r.containers?.map((c) => ({
        name: c.name,
        image: c.image ?? null,
        image_digest: c.imageDigest ?? null,
        runtime_id: c.runtimeId ?? null,
        last_status: c.lastStatus ?? null,
        exit_code: c.exitCode ?? null,
        reason: c.reason ?? null,
      })),
  },
  {
    name: 'ec2_instance_id',
    type: 'string',
    comment: 'EC2 instance of a container instance',
    value: (r) => r.ec2InstanceId,
  },
  {
    name: 'agent_connected',
    type: 'boolean',
    comment: 'Container instance agent connected',
    value: (r) => r.agentConnected,
  },
  {
    name: 'running_tasks_count',
    type: 'int',
    comment: 'Container instance running tasks',
    value: (r) => r.runningTasksCount,
  },
  {
    name: 'pending_tasks_count',
    type: 'int',
    comment: 'Container instance pending tasks',
    value: (r) => r.pendingTasksCount,
  },
  {
    name: 'event_name',
    type: 'string',
    comment: 'Service action / deployment event name, or API call name',
    value: (r) => r.eventName,
  },
  { name: 'event_type', type: 'string', comment: 'INFO | WARN | ERROR', value: (r) => r.eventType },
  {
    name: 'deployment_id',
    type: 'string',
    comment: 'ECS deployment id',
    value: (r) => r.deploymentId,
  },
  {
    name: 'reason',
    type: 'string',
    comment: 'Verbatim reason (service action, deployment, placement failure)',
    value: (r) => r.reason,
  },
  {
    name: 'task_arns',
    type: 'array<string>',
    comment: 'Tasks named by a service action',
    value: (r) => r.taskArns,
  },
  {
    name: 'caller',
    type: 'string',
    comment: 'API caller ARN (or calling AWS service)',
    value: (r) => r.caller,
  },
  { name: 'error_code', type: 'string', comment: 'API error code', value: (r) => r.errorCode },
  {
    name: 'error_message',
    type: 'string',
    comment: 'API error message, or placement failure detail',
    value: (r) => r.errorMessage,
  },
  // Added within schema 2: null on rows of other calls and records.
  {
    name: 'desired_count',
    type: 'int',
    comment: 'Desired task count a CreateService/UpdateService call set',
    value: (r) => r.desiredCount,
  },
  {
    name: 'outcome_status',
    type: 'string',
    comment: 'in-progress | succeeded | failed | stopped | info',
    value: (r) => r.outcome.status,
  },
  {
    name: 'outcome_category',
    type: 'string',
    comment: 'Failure category when outcome_status = failed',
    value: (r) => r.outcome.category,
  },
  {
    name: 'outcome_churn',
    type: 'string',
    comment:
      'Expected churn when outcome_status = stopped: scale-in | instance-draining | infrastructure-health',
    value: (r) => r.outcome.churn,
  },
  {
    name: 'outcome_summary',
    type: 'string',
    comment: 'One human line',
    value: (r) => r.outcome.summary,
  },
  // Detail-types beyond the classic four (added within schema 2): null on other rows.
  {
    name: 'detail_type',
    type: 'string',
    comment:
      'EventBridge detail-type of newer ECS events (health changes, daemons) and of generic ecs-event records',
    value: (r) => r.detailType,
  },
  {
    name: 'health_status',
    type: 'string',
    comment: 'Container instance health: OK | IMPAIRED | INSUFFICIENT_DATA | INITIALIZING',
    value: (r) => r.healthStatus,
  },
  {
    name: 'health_checks',
    type: HEALTH_CHECKS_TYPE,
    comment: 'Container instance health checks (CONTAINER_RUNTIME, ACCELERATED_COMPUTE, DAEMON, …)',
    value: (r) =>
      r.healthChecks?.map((c) => ({
        type: c.type,
        status: c.status ?? null,
        status_reason: c.statusReason ?? null,
        last_status_change: c.lastStatusChange ?? null,
        last_updated: c.lastUpdated ?? null,
      })),
  },
  {
    name: 'detail',
    type: 'string',
    comment: `The event detail as JSON text, verbatim (rows with detail_type); query with json_extract(); cut at ${MAX_KEPT_DETAIL_LENGTH} characters when detail_truncated`,
    value: (r) => r.detail,
  },
  {
    name: 'detail_truncated',
    type: 'boolean',
    comment: `True when detail was cut at ${MAX_KEPT_DETAIL_LENGTH} characters (no longer valid JSON)`,
    value: (r) => r.detailTruncated,
  },
];

/**
 * The lake table's columns, in order, as data: the Glue table in infra, the transform and the
 * docs all derive from this list.
 */
export const LAKE_COLUMNS: readonly LakeColumn[] = COLUMN_DEFINITIONS.map(
  ({ name, type, comment }) => ({ name, type, comment }),
);

/** The lake's partition column (not part of the rows). */
export const LAKE_PARTITION_COLUMN: LakeColumn = {
  name: 'dt',
  type: 'string',
  comment: 'UTC day of event_time, YYYY-MM-DD',
};

/**
 * The flat lake row of a record: exactly the {@link LAKE_COLUMNS}, in order, `null` for absent values.
 *
 * @example
 * const line = JSON.stringify(toLakeRow(record)) + '\n';
 */
export function toLakeRow(record: AuditRecord): LakeRow {
  // Cloning a row that already has every column keeps rows in V8's fast object mode (adding 50
  // computed keys to `{}` would not), which makes JSON.stringify of a row ≈40% faster.
  const row: LakeRow = { ...EMPTY_ROW };
  for (const column of COLUMN_DEFINITIONS) {
    const value = column.value(record);
    if (value !== undefined) row[column.name] = value;
  }
  return row;
}

/** A row with every column, in order, all null. */
const EMPTY_ROW: LakeRow = Object.fromEntries(
  COLUMN_DEFINITIONS.map((column) => [column.name, null]),
);

/**
 * The lake partition of a record: the UTC day of its eventTime.
 *
 * @example
 * lakePartition(record) // → { dt: '2026-11-20' }
 */
export function lakePartition(record: Pick<AuditRecord, 'eventTime'>): { dt: string } {
  return { dt: record.eventTime.slice(0, 10) };
}
