import { createKinesisHandler } from '@ecslog/ingest-pipeline';
import type { KinesisStreamHandler } from 'aws-lambda';
import { createRuntime } from './runtime';

/** The Kinesis event-source mapping's function (`ReportBatchItemFailures`). Built once, at cold start. */
export const handler = createKinesisHandler(
  createRuntime(process.env),
) satisfies KinesisStreamHandler;
