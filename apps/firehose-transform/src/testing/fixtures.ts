import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';

/** apps/firehose-transform/tests/events: Firehose invocations (the ECS payloads are the mapper's fixtures). */
export const TRANSFORM_FIXTURES_DIR = join(__dirname, '..', '..', 'tests', 'events');

export function loadTransformFixture<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(join(TRANSFORM_FIXTURES_DIR, relativePath), 'utf8')) as T;
}

/**
 * A Direct PUT invocation: task, RunTask (5 records), service and deployment events, an event from
 * another source, an invalid ECS event, plain text, broken base64 and gzipped bytes.
 */
export function loadDirectPutEvent(): FirehoseTransformationEvent {
  return loadTransformFixture<FirehoseTransformationEvent>('firehose/direct-put.json');
}

/** What the transform must answer for each record of {@link loadDirectPutEvent}, in order. */
export const DIRECT_PUT_RESULTS = [
  'Ok',
  'Ok',
  'Ok',
  'Ok',
  'Dropped',
  'ProcessingFailed',
  'ProcessingFailed',
  'ProcessingFailed',
  'ProcessingFailed',
  'Ok',
] as const;

/**
 * A Kinesis-sourced invocation (`sourceKinesisStreamArn`, `kinesisRecordMetadata`): a task's
 * lifecycle with a duplicate delivery, a container instance, a RunTask via EventBridge, a
 * read-only CloudTrail call, an invalid ECS event and plain text.
 */
export function loadKinesisSourceEvent(): FirehoseTransformationEvent {
  return loadTransformFixture<FirehoseTransformationEvent>('firehose/kinesis-source.json');
}
