/**
 * @ecslog/ecs-event-mapper — what an ECS event means to the audit log. Pure: no I/O, no
 * clock, no AWS SDK; never throws on input.
 *
 * @example
 * import { mapEvent, toLakeRow } from '@ecslog/ecs-event-mapper';
 * const result = mapEvent(JSON.parse(line));
 * if (result.kind === 'mapped') rows.push(...result.records.map(toLakeRow));
 */
export { mapEvent, ECS_EVENTBRIDGE_SOURCE } from './map-event';
export type { MapResult, Mapped, Ignored, Invalid, Problem } from './map-result';
export { describeProblems } from './map-result';
export type {
  AuditRecord,
  AuditRecordSchemaVersion,
  ContainerNetworkInterface,
  ContainerState,
  FailureCategory,
  InstanceHealthCheck,
  Outcome,
  OutcomeStatus,
  RecordSource,
  RecordType,
  TaskNetwork,
} from './audit-record';
export {
  AUDIT_RECORD_SCHEMA_VERSION,
  AUDIT_RECORD_SCHEMA_VERSIONS,
  FAILURE_CATEGORIES,
  isKnownSchemaVersion,
  MAX_KEPT_DETAIL_LENGTH,
} from './audit-record';
export { imageDigestOf, ipv4Of, ipv6Of, macAddressOf } from './task-network';
export { classifyStop, classifyReason } from './classify-stop';
export type { TaskStopFacts } from './classify-stop';
export type { ChurnKind } from './audit-record';
export { CHURN_KINDS } from './audit-record';
export {
  ECS_DETAIL_TYPES,
  MAX_DETAIL_TYPE_LENGTH,
  NEWER_ECS_DETAIL_TYPES,
} from './eventbridge-envelope';
export type { EcsDetailType, NewerEcsDetailType } from './eventbridge-envelope';
export { ECS_EVENT_SOURCE } from './cloudtrail-record';
export { LAKE_COLUMNS, LAKE_PARTITION_COLUMN, lakePartition, toLakeRow } from './lake-row';
export type {
  LakeColumn,
  LakeColumnType,
  LakeContainer,
  LakeHealthCheck,
  LakeRow,
} from './lake-row';
export { canonicalIsoMs, impossibleTimestampReason, parseTimestamp } from './timestamps';
export { TASK_LAST_STATUSES } from './task-statuses';
export {
  isNestedDeeperThan,
  MAX_EVENT_DEPTH,
  nestedTooDeep,
  stringifyAnyDepth,
  stringifyJson,
} from './json-depth';
