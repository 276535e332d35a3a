import type { DynamoDBStreamHandler } from 'aws-lambda';
import { createRuntime, lazily } from './runtime';
import { createStreamHandler } from './stream-handler';

const handle = lazily(async () => createStreamHandler(await createRuntime(process.env)));

/** The audit table stream's event-source mapping's function (`ReportBatchItemFailures`). */
export const handler = (async (event, context) =>
  (await handle())(event, context)) satisfies DynamoDBStreamHandler;
