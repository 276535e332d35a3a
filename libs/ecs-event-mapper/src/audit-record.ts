/**
 * The AuditRecord contract, schema version 2.
 *
 * One AuditRecord is one state change of one ECS resource, or one ECS API call (or one
 * placement failure inside an API call). It is plain JSON: every timestamp is an ISO-8601 UTC
 * string with milliseconds (`2026-11-20T03:00:05.123Z`), so string order is time order.
 * An optional field without a value is absent from the JSON, never `null` (in memory it is
 * `undefined`: see {@link createAuditRecord}). New optional fields may be added within a schema
 * version; renaming or removing a field, or changing its meaning, bumps `schemaVersion`.
 */

/**
 * The schema version written into every record. Version 2 added the provenance of tasks (the
 * containers' `imageDigest`, `runtimeId` and `networkInterfaces`; the task's `platformVersion`,
 * `containerInstanceArn` and `network`); a version-1 record is a version-2 record without them,
 * so readers accept both ({@link AUDIT_RECORD_SCHEMA_VERSIONS}).
 */
export const AUDIT_RECORD_SCHEMA_VERSION = 2 as const;

/** Every schema version a stored record may have: readers accept each. */
export const AUDIT_RECORD_SCHEMA_VERSIONS: readonly AuditRecordSchemaVersion[] = [1, 2];

/** A schema version a stored record may have. */
export type AuditRecordSchemaVersion = 1 | typeof AUDIT_RECORD_SCHEMA_VERSION;

/** Whether `value` is a schema version readers know ({@link AUDIT_RECORD_SCHEMA_VERSIONS}). */
export function isKnownSchemaVersion(value: unknown): value is AuditRecordSchemaVersion {
  return value === 1 || value === 2;
}

/**
 * What a record is about. `ecs-event` is an ECS event of a detail-type ecslog does not model (or a
 * newly modelled one whose detail it could not read): kept whole as a generic record, never dropped.
 */
export type RecordType =
  'task' | 'container-instance' | 'service-action' | 'deployment' | 'api-call' | 'ecs-event';

/** Where the record came from: an ECS event on EventBridge, or a CloudTrail record. */
export type RecordSource = 'eventbridge' | 'cloudtrail';

/**
 * - `in-progress`: a task or deployment that has not finished yet;
 * - `succeeded`: finished well (every container exited 0, deployment completed);
 * - `failed`: see {@link FailureCategory};
 * - `stopped`: stopped on purpose (by a user, or by the service scheduler) with no container failure,
 *   or stopped by ECS as routine churn ({@link ChurnKind});
 * - `info`: a fact, neither success nor failure (steady state, API calls, draining instances).
 */
export type OutcomeStatus = 'in-progress' | 'succeeded' | 'failed' | 'stopped' | 'info';

/** Why something failed. Reasons ecslog does not recognise are `other`, never an error. */
export type FailureCategory =
  | 'essential-container-exited'
  | 'out-of-memory'
  | 'image-pull'
  | 'resource-initialization'
  | 'health-check'
  | 'spot-interruption'
  | 'placement'
  | 'start-failure'
  | 'infrastructure'
  | 'deployment-failed'
  | 'api-error'
  | 'other';

/** Every failure category, in a stable order (for reports and generators). */
export const FAILURE_CATEGORIES: readonly FailureCategory[] = [
  'essential-container-exited',
  'out-of-memory',
  'image-pull',
  'resource-initialization',
  'health-check',
  'spot-interruption',
  'placement',
  'start-failure',
  'infrastructure',
  'deployment-failed',
  'api-error',
  'other',
];

/**
 * Why ECS stopped a task that did nothing wrong: expected churn, never a failure (a `stopped`
 * outcome, off the failure index). Claimed only when no container reason names a failure and
 * every exit code is one that stopping gives (0, 130, 137, 143).
 * - `scale-in`: the service scheduler scaled the task's deployment in ("Scaling activity
 *   initiated by (deployment ecs-svc/…)"): the desired count went down, or a newer deployment is
 *   replacing the task;
 * - `instance-draining`: the task's instance was drained ("Task stopped during instance
 *   draining"; ECS Managed Instances drain each instance routinely);
 * - `infrastructure-health`: stop code `InfrastructureHealth`: ECS moved the task off
 *   infrastructure it found unhealthy (its host, not the task, was impaired).
 */
export type ChurnKind = 'scale-in' | 'instance-draining' | 'infrastructure-health';

/** Every churn kind, in a stable order (for reports and generators). */
export const CHURN_KINDS: readonly ChurnKind[] = [
  'scale-in',
  'instance-draining',
  'infrastructure-health',
];

/** The verdict on a record, with one human line explaining it. */
export interface Outcome {
  status: OutcomeStatus;
  /** Present exactly when `status` is `failed`. */
  category?: FailureCategory;
  /** Present only when `status` is `stopped` and the stop was routine ECS churn. */
  churn?: ChurnKind;
  /** One human line, e.g. "container web killed: out of memory (exit 137)". */
  summary: string;
}

/** A container of a task, as far as the event tells. */
export interface ContainerState {
  name: string;
  /** The image reference as the task definition names it (`repository:tag`, or with a digest). */
  image?: string;
  /** The digest of the image the container runs (`sha256:…`), once ECS has resolved it. Schema 2. */
  imageDigest?: string;
  /** The container runtime's id of the container (Docker id, or Fargate's `<taskId>-<n>`). Schema 2. */
  runtimeId?: string;
  /** The container's addresses on the task's network interfaces (awsvpc tasks). Schema 2. */
  networkInterfaces?: ContainerNetworkInterface[];
  lastStatus?: string;
  /** Only once the container has exited. */
  exitCode?: number;
  reason?: string;
}

/** A container's addresses on one network interface (ECS `NetworkInterface`); at least one. */
export interface ContainerNetworkInterface {
  privateIpv4?: string;
  /** Lower case. */
  ipv6?: string;
}

/**
 * A task's elastic network interface (awsvpc tasks: Fargate, and EC2 / Managed Instances in awsvpc
 * mode), from its ENI attachment's details. Only well-formed values are kept: an IPv6-only task
 * has no `privateIpv4`; bridge and host mode tasks have no `network` at all. Schema 2.
 */
export interface TaskNetwork {
  /** `eni-…` */
  interfaceId?: string;
  privateIpv4?: string;
  /** Lower case. */
  ipv6?: string;
  /** `subnet-…` */
  subnetId?: string;
  /** Lower case, `06:3f:9a:2c:71:d4`. */
  macAddress?: string;
  /** Lower case. */
  privateDnsName?: string;
}

/**
 * One result of a container instance health check (`healthChecks[]` of an "ECS Container Instance
 * Health Change" event): `CONTAINER_RUNTIME`, `ACCELERATED_COMPUTE`, `DAEMON`, `AGENT_CONNECTIVITY`, …
 */
export interface InstanceHealthCheck {
  type: string;
  /** `OK` · `IMPAIRED` · `INSUFFICIENT_DATA` · `INITIALIZING` (kept as sent). */
  status?: string;
  /** Why, verbatim (`XID_46`, "Agent disconnected since …"). */
  statusReason?: string;
  lastStatusChange?: string;
  lastUpdated?: string;
}

/** One audited state change or API call. */
export interface AuditRecord {
  /** {@link AUDIT_RECORD_SCHEMA_VERSION} when written; stored records may have an older one. */
  schemaVersion: AuditRecordSchemaVersion;
  /**
   * Deterministic identity of the state change: the same change always gets the same id, however
   * often it is delivered, replayed or backfilled, and two different changes never share one.
   * Shapes: `task:<taskArn>:v<version>`, `container-instance:<arn>:v<version>`,
   * `service-action:<eventBridgeId>`, `deployment:<eventBridgeId>`,
   * `api-call:<cloudTrailEventId>` and `api-call:<cloudTrailEventId>:task:<n>` /
   * `api-call:<cloudTrailEventId>:failure:<n>` for the tasks and placement failures of one call;
   * `container-instance:<arn>:health:<eventBridgeId>` for a health change (no version: it never
   * competes for the instance's latest state) and `ecs-event:<eventBridgeId>` for a generic record.
   */
  recordId: string;
  recordType: RecordType;
  source: RecordSource;
  /** When the change happened (the resource's `updatedAt`/`createdAt`, else the event time). */
  eventTime: string;
  account: string;
  region: string;
  clusterArn: string;
  clusterName: string;
  /** The task, container instance or service the record is about (for failures, what failed). */
  resourceArn: string;

  taskId?: string;
  taskDefinitionArn?: string;
  family?: string;
  revision?: number;
  serviceName?: string;
  /** `service:NAME` or `family:NAME` as ECS reports it. */
  group?: string;
  startedBy?: string;
  launchType?: string;
  capacityProviderName?: string;
  /** Fargate's platform version (`1.4.0`). Schema 2. */
  platformVersion?: string;
  /** The container instance the task runs on (EC2, External, Managed Instances). Schema 2. */
  containerInstanceArn?: string;
  /** The task's ENI (awsvpc network mode). Schema 2. */
  network?: TaskNetwork;
  availabilityZone?: string;
  cpu?: string;
  memory?: string;
  /** The resource's status: a task's lastStatus, a container instance's status. */
  lastStatus?: string;
  desiredStatus?: string;
  /** ECS's per-resource change counter: higher is later. */
  version?: number;
  createdAt?: string;
  pullStartedAt?: string;
  pullStoppedAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  /** pullStartedAt → pullStoppedAt. */
  pullMs?: number;
  /** createdAt → startedAt. */
  pendingMs?: number;
  /** startedAt → stoppedAt. */
  runMs?: number;
  stopCode?: string;
  /** Verbatim, untruncated. */
  stoppedReason?: string;
  containers?: ContainerState[];

  /** Container instances. */
  ec2InstanceId?: string;
  agentConnected?: boolean;
  runningTasksCount?: number;
  pendingTasksCount?: number;

  /** Service actions and deployments (ECS event name), or the API call's name. */
  eventName?: string;
  /** INFO, WARN, ERROR for service actions and deployments. */
  eventType?: string;
  deploymentId?: string;
  /** Verbatim reason: a service action's or deployment's reason, a placement failure's reason. */
  reason?: string;
  /** Tasks a service action names. */
  taskArns?: string[];

  /**
   * The EventBridge detail-type, on records of the detail-types beyond the classic four (container
   * instance health changes, daemon events, and every generic `ecs-event` record): what
   * `ecslog events --other` lists and `--kind` selects.
   */
  detailType?: string;
  /**
   * The event's `detail` as JSON text, verbatim, on records that carry {@link detailType}: nothing
   * the mapper does not read is lost. At most {@link MAX_KEPT_DETAIL_LENGTH} characters; a longer
   * one is cut there (then no longer valid JSON) and {@link detailTruncated} is set.
   */
  detail?: string;
  /** True when {@link detail} was cut at {@link MAX_KEPT_DETAIL_LENGTH} characters. */
  detailTruncated?: boolean;
  /** Container instance health changes: the overall status (`OK`, `IMPAIRED`, …). */
  healthStatus?: string;
  /** Container instance health changes: each check's result. */
  healthChecks?: InstanceHealthCheck[];

  /** API calls: the caller's ARN (or the AWS service that called). */
  caller?: string;
  errorCode?: string;
  errorMessage?: string;
  /**
   * CreateService and UpdateService calls that succeeded: the service's desired task count the
   * call set (its request's `desiredCount`, else the `desiredCount` of the service it answered
   * with); absent when the call named none (an UpdateService of the task definition only). What
   * the notifier judges a service's silence by (fewer tasks running than desired).
   *
   * Added within schema 2 without a bump: an optional field whose absence means what it always
   * meant (the record says nothing about the desired count), so every reader of version-2 records
   * reads older ones as before, and records written before it simply lack it.
   */
  desiredCount?: number;

  outcome: Outcome;
}

/**
 * The longest `detail` text a record keeps (characters): a detail of up to 16 KiB of JSON is kept
 * whole. EventBridge events reach 256 KB; the table's items are ≤ 400 KB and billed per KB, so a
 * longer detail is kept cut, with {@link AuditRecord.detailTruncated}, rather than not at all.
 */
export const MAX_KEPT_DETAIL_LENGTH = 16_384;

/**
 * A new record of `recordType` with the fields that kind of record can have present from the
 * start (optional ones `undefined`), in one fixed order. Records of one kind then share one
 * object shape, which keeps property access on them monomorphic (the mapper's hot path,
 * `toLakeRow`, JSON.stringify) and measurably speeds mapping up. `JSON.stringify` drops the
 * `undefined` fields; marshal for DynamoDB with `removeUndefinedValues`.
 */
export function createAuditRecord(
  recordId: string,
  recordType: RecordType,
  source: RecordSource,
  eventTime: string,
  account: string,
  region: string,
  clusterArn: string,
  clusterName: string,
  resourceArn: string,
  outcome: Outcome,
): AuditRecord {
  switch (recordType) {
    case 'task':
      return {
        schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
        recordId,
        recordType,
        source,
        eventTime,
        account,
        region,
        clusterArn,
        clusterName,
        resourceArn,
        taskId: undefined,
        taskDefinitionArn: undefined,
        family: undefined,
        revision: undefined,
        serviceName: undefined,
        group: undefined,
        startedBy: undefined,
        launchType: undefined,
        capacityProviderName: undefined,
        platformVersion: undefined,
        containerInstanceArn: undefined,
        network: undefined,
        availabilityZone: undefined,
        cpu: undefined,
        memory: undefined,
        lastStatus: undefined,
        desiredStatus: undefined,
        version: undefined,
        createdAt: undefined,
        pullStartedAt: undefined,
        pullStoppedAt: undefined,
        startedAt: undefined,
        stoppingAt: undefined,
        stoppedAt: undefined,
        pullMs: undefined,
        pendingMs: undefined,
        runMs: undefined,
        stopCode: undefined,
        stoppedReason: undefined,
        containers: undefined,
        outcome,
      };
    case 'api-call': {
      // The task shape plus the call's fields, added in one fixed order: one shape again.
      const record = createAuditRecord(
        recordId,
        'task',
        source,
        eventTime,
        account,
        region,
        clusterArn,
        clusterName,
        resourceArn,
        outcome,
      );
      record.recordType = 'api-call';
      record.eventName = undefined;
      record.reason = undefined;
      record.caller = undefined;
      record.errorCode = undefined;
      record.errorMessage = undefined;
      record.desiredCount = undefined;
      return record;
    }
    case 'container-instance':
      return {
        schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
        recordId,
        recordType,
        source,
        eventTime,
        account,
        region,
        clusterArn,
        clusterName,
        resourceArn,
        lastStatus: undefined,
        version: undefined,
        ec2InstanceId: undefined,
        agentConnected: undefined,
        runningTasksCount: undefined,
        pendingTasksCount: undefined,
        reason: undefined,
        outcome,
      };
    default:
      return {
        schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
        recordId,
        recordType,
        source,
        eventTime,
        account,
        region,
        clusterArn,
        clusterName,
        resourceArn,
        serviceName: undefined,
        eventName: undefined,
        eventType: undefined,
        deploymentId: undefined,
        reason: undefined,
        taskArns: undefined,
        outcome,
      };
  }
}
