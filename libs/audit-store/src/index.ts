/**
 * @ecslog/audit-store — the DynamoDB audit table: its definition (as data, for infra and local
 * mode), the item codec, the idempotent batch writer and the typed queries.
 *
 * @example
 * import { createAuditWriter, createAuditReader } from '@ecslog/audit-store';
 * const writer = createAuditWriter({ client, tableName });
 * await writer.writeRecords(records);
 * const page = await createAuditReader({ client, tableName }).history(taskArn);
 */
export {
  AUDIT_TABLE,
  INDEX,
  TTL_ATTRIBUTE,
  createTableInput,
  timeToLiveInput,
} from './table-definition';
export type { AuditTableDefinition, IndexName, KeyAttribute } from './table-definition';
export { createAuditWriter, UnprocessedItemsError } from './audit-writer';
export type { AuditWriter, AuditWriterOptions, WriteResult, WriteStatus } from './audit-writer';
export { createAuditReader, daysBetween, InvalidCursorError, MAX_RANGE_DAYS } from './audit-reader';
export type {
  Activity,
  AuditReader,
  AuditReaderOptions,
  Page,
  PageOptions,
  ReadControl,
  TimeRange,
} from './audit-reader';
export { DEFAULT_RETRY_POLICY, isRetryable, withRetries } from './retry';
export { runWithLimit } from './run-with-limit';
export type { RetryPolicy } from './retry';
export {
  decodeRecord,
  encodeRecord,
  groupOf,
  itemSizeBytes,
  lookupItemsOf,
  toHistoryItem,
  toLatestItem,
} from './item-codec';
export type { Item } from './item-codec';
