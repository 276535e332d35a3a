import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditWriter, WriteResult } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';

/**
 * An in-memory writer for handler tests that need no table: it records each call and answers
 * `failed` for the records `fail` picks, `written` for the rest.
 */
export function createMemoryWriter(
  fail: (record: AuditRecord) => boolean = () => false,
): Pick<AuditWriter, 'writeRecords'> & { calls: AuditRecord[][] } {
  const calls: AuditRecord[][] = [];
  return {
    calls,
    async writeRecords(records) {
      calls.push([...records]);
      return records.map((record): WriteResult =>
        fail(record)
          ? { recordId: record.recordId, status: 'failed', error: new Error('write refused') }
          : { recordId: record.recordId, status: 'written' },
      );
    },
  };
}

/**
 * A writer whose writes fail for the records `fail` picks (as if DynamoDB kept throttling
 * them) and go through `writer` for the rest.
 */
export function failingFor(
  writer: Pick<AuditWriter, 'writeRecords'>,
  fail: (record: AuditRecord) => boolean,
): Pick<AuditWriter, 'writeRecords'> {
  return {
    async writeRecords(records) {
      const results = new Map<AuditRecord, WriteResult>();
      const passed = records.filter((record) => !fail(record));
      const written = await writer.writeRecords(passed);
      passed.forEach((record, i) => results.set(record, written[i] as WriteResult));
      return records.map(
        (record) =>
          results.get(record) ?? {
            recordId: record.recordId,
            status: 'failed',
            error: Object.assign(new Error('Throughput exceeds the current capacity'), {
              name: 'ProvisionedThroughputExceededException',
            }),
          },
      );
    },
  };
}

/**
 * A DynamoDB client that "crashes" after `requests` requests: every later request fails at once
 * and nothing more reaches the table, as when the function's process dies mid-batch.
 */
export function crashingAfter(
  client: DynamoDBClient,
  requests: number,
): { client: DynamoDBClient; sent: () => number } {
  let sent = 0;
  // The writer wraps the client in a DocumentClient, which sends through the client's middleware
  // stack rather than its `send`: so the crash is a middleware, on a clone of that stack (the
  // original client is left as it is) of an object that shares everything else with `client`.
  const crashing = Object.create(client) as DynamoDBClient;
  const stack = client.middlewareStack.clone();
  Object.defineProperty(crashing, 'middlewareStack', { value: stack });
  stack.add(
    (next) => (args) => {
      if (sent >= requests) return Promise.reject(new Error('the process crashed'));
      sent += 1;
      return next(args);
    },
    { step: 'initialize', name: 'ecslogCrashAfter' },
  );
  return { client: crashing, sent: () => sent };
}
