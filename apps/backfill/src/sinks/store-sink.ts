/**
 * The audit table as a backfill sink: records already stored (by their history key) are skipped
 * and counted, the rest written by `@ecslog/audit-store`'s writer — so re-running a window
 * writes nothing and says so.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { BackfillSink, MappedInput, SinkResult } from '../backfill-sink';
import { BackfillSetupError } from '../backfill-source';

export interface StoreSinkOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days records are kept after the change (the ingest Lambda's default: 30). */
  retentionDays: number;
  /** For messages: `table ecslog-audit in eu-west-1`, `the local store in .ecslog`. */
  description: string;
  now?: () => number;
}

export function createStoreSink(options: StoreSinkOptions): BackfillSink {
  const { client, tableName, description } = options;
  const reader = createAuditReader({ client, tableName, now: options.now });
  const writer = createAuditWriter({
    client,
    tableName,
    retentionDays: options.retentionDays,
    now: options.now,
    // Replayed history is stored, never told: the notifier skips items marked `backfill`.
    origin: 'backfill',
  });

  return {
    description,
    async check() {
      try {
        await client.send(new DescribeTableCommand({ TableName: tableName }));
      } catch (error) {
        const { name = '', message = String(error) } = error as { name?: string; message?: string };
        throw new BackfillSetupError(
          name === 'ResourceNotFoundException'
            ? `table ${tableName} not found (${description}): check --table and --region`
            : /credential/i.test(message)
              ? `no AWS credentials found for ${description}: configure a profile or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`
              : `cannot use ${description}: ${name ? `${name}: ` : ''}${message}`,
          { cause: error },
        );
      }
    },
    async write(inputs: readonly MappedInput[]): Promise<SinkResult> {
      const records = unique(inputs.flatMap((input) => input.records));
      const stored = await reader.storedRecordIds(records);
      const fresh = records.filter((record) => !stored.has(record.recordId));
      const results = await writer.writeRecords(fresh);
      const failed = results.filter((r) => r.status === 'failed');
      return {
        written: results.filter((r) => r.status === 'written' || r.status === 'stale').length,
        alreadyPresent: stored.size,
        expired: results.filter((r) => r.status === 'expired').length,
        failed: failed.length,
        ...(failed[0]?.error ? { error: failed[0].error } : {}),
      };
    },
  };
}

function unique(records: readonly AuditRecord[]): AuditRecord[] {
  const seen = new Set<string>();
  return records.filter(
    (record) => !seen.has(record.recordId) && Boolean(seen.add(record.recordId)),
  );
}
