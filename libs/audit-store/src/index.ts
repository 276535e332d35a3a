/**
 * @ecslog/audit-store — the DynamoDB audit table with task runs as its stored unit: its definition
 * (as data, for infra and local mode), the item codec, the idempotent batch writer, which
 * partitions a query reads, and the typed queries.
 *
 * @example
 * import { createAuditWriter, createAuditReader } from '@ecslog/audit-store';
 * const writer = createAuditWriter({ client, tableName });
 * await writer.writeRecords(records);
 * const { runs } = await createAuditReader({ client, tableName }).runsDuring({ from, to });
 * // Provenance (table layout 3): runsAtAddress, runsOnInstance, runsOfImage.
 * const held = await createAuditReader({ client, tableName }).runsAtAddress('10.0.4.17', { from, to });
 */
export {
  AUDIT_TABLE,
  INDEX,
  TABLE_LAYOUT_VERSION,
  TTL_ATTRIBUTE,
  createTableInput,
  timeToLiveInput,
} from './table-definition';
export type { AuditTableDefinition, IndexName, KeyAttribute } from './table-definition';
export {
  createAuditWriter,
  ORIGIN_ATTRIBUTE,
  originOfItem,
  UnprocessedItemsError,
} from './audit-writer';
export type {
  AuditWriter,
  AuditWriterOptions,
  CloseStatus,
  ConditionalWrites,
  RecordOrigin,
  WriteResult,
  WriteStatus,
} from './audit-writer';
export { createAuditReader, InvalidCursorError, taskIdOf } from './audit-reader';
export type {
  AuditReader,
  AuditReaderOptions,
  InstanceRunsRead,
  Page,
  PageOptions,
  ReadControl,
  RunsRead,
  StoredTask,
  TimeRange,
} from './audit-reader';
export { createReadCache, DEFAULT_CACHED_RUNS, readKeyOf } from './read-cache';
export type { CachedRead, CachedRunItem, ReadCache, ReadCacheOptions } from './read-cache';
export {
  clusterNameOf,
  daysBetween,
  failureReadsOf,
  hoursBetween,
  isCluster,
  keepsRun,
  MAX_WINDOW_DAYS,
  openRunReadsOf,
  runReadsOf,
} from './run-query-plan';
export type { PartitionRead, RunScope } from './run-query-plan';
export { DEFAULT_RETRY_POLICY, isRetryable, withRetries } from './retry';
export { runWithLimit } from './run-with-limit';
export type { RetryPolicy } from './retry';
export {
  carryBoundariesOf,
  decodeRecord,
  encodeRecord,
  groupOf,
  itemSizeBytes,
  lookupKeysOf,
  SHARDS,
  storedItemsOf,
  toHistoryItem,
  toLatestItem,
  toMappingItems,
  toRunItems,
} from './item-codec';
export type { Item, RankedItem } from './item-codec';
