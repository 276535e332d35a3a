import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditReader } from '@ecslog/audit-store';

/** An open audit table, local or in AWS, and how to let it go. */
export interface AuditStoreConnection {
  kind: 'local' | 'aws';
  client: DynamoDBClient;
  tableName: string;
  reader: AuditReader;
  /** For messages: `the local store in .ecslog` or `table ecslog-audit in eu-west-1`. */
  description: string;
  /** Local mode: the loopback endpoint the store is served on. */
  endpoint?: string;
  /**
   * Set when the store can be read but not written (a read-only `ECSLOG_HOME`): the one-line
   * reason every write fails with, for commands that write to say it before they start.
   */
  readOnly?: string;
  /**
   * Local mode: the store's write generation now (see `store-generation.ts`), read in this
   * process when it serves the store, asked of the serving process's guard otherwise. A reader
   * that notes it before a read and finds it unchanged later knows nothing was written since.
   * Absent for a table in AWS: other writers reach it without passing any door of ecslog's.
   */
  generation?: () => number | Promise<number>;
  close(): Promise<void>;
}

/**
 * Why a command could not reach its audit table, said in one line for people: missing
 * credentials, a table that does not exist, a store busy in another process.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
  }
}
