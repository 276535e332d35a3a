import type { Writable } from 'node:stream';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Page, PageOptions } from '@ecslog/audit-store';
import type { LineOutput } from '../line-output';

/** What the commands talk to; main.ts passes the process's, tests their own. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Standard input as it arrives, or all of it at once (only called for `-`). */
  readStdin: () => AsyncIterable<Uint8Array> | Promise<Uint8Array>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Epoch ms. */
  now: () => number;
  /** Resolves on Ctrl-C (SIGINT) or SIGTERM, with the signal's name. */
  waitForStop: () => Promise<string>;
}

/** The output options every query command has. */
export interface OutputOptions {
  json?: boolean;
  utc?: boolean;
}

/** A query failed in a way people can act on; said in one line, exit status 1. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** Every record of a paged query. */
export async function readAllPages(
  query: (page: PageOptions) => Promise<Page>,
): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await query({ limit: 1000, cursor });
    records.push(...page.records);
    cursor = page.cursor;
  } while (cursor);
  return records;
}

/** NDJSON AuditRecords, the mapper's contract, for scripts. */
export async function writeRecords(
  out: LineOutput,
  records: readonly AuditRecord[],
): Promise<void> {
  for (const record of records) {
    if (out.closed) return;
    await out.writeLine(JSON.stringify(record));
  }
}
