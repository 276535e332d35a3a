import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';

/**
 * libs/ingest-pipeline/tests/events: Lambda event fixtures (the ECS payloads are the mapper's
 * fixtures). apps/ingest's runtime and bundle tests use them too.
 */
export const INGEST_FIXTURES_DIR = join(__dirname, '..', '..', 'tests', 'events');

export function loadIngestFixture<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(join(INGEST_FIXTURES_DIR, relativePath), 'utf8')) as T;
}

/** A Kinesis ESM event with ECS events, a non-JSON payload and an invalid event (one shard). */
export function loadKinesisBatch(): KinesisStreamEvent {
  return loadIngestFixture<KinesisStreamEvent>('kinesis/ecs-events-batch.json');
}

/**
 * The partition key a producer would give an ECS event: the resource ARN (so that one
 * resource's events stay in order on one shard), else the started task's, else the event id.
 */
export function partitionKeyOf(event: Record<string, unknown>): string {
  const resources = event['resources'] as string[] | undefined;
  const detail = event['detail'] as
    { responseElements?: { tasks?: { taskArn?: string }[] } } | undefined;
  return (
    resources?.[0] ??
    detail?.responseElements?.tasks?.[0]?.taskArn ??
    String(event['id'] ?? 'unknown')
  );
}
