import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAuditWriter } from '@ecslog/audit-store';
import type { IngestDependencies } from '@ecslog/ingest-pipeline';
import {
  createFileQuarantine,
  createSqsQuarantine,
  SQS_DEFAULT_QUEUE_MESSAGE_BYTES,
} from '@ecslog/ingest-pipeline';
import type { IngestConfig } from './config';
import { loadConfig } from './config';

export interface Runtime extends IngestDependencies {
  config: IngestConfig;
}

/**
 * The composition root: the real dependencies of both handlers, built once per cold start from
 * the environment. A missing or bad variable throws one {@link ConfigurationError} naming all of
 * them, which fails the cold start before any event is taken.
 *
 * @example
 * export const handler = createKinesisHandler(createRuntime(process.env));
 */
export function createRuntime(env: Readonly<Record<string, string | undefined>>): Runtime {
  const config = loadConfig(env);
  const clock = () => new Date();
  const logger = new Logger({ serviceName: config.serviceName });
  const metrics = new Metrics({
    namespace: config.metricsNamespace,
    serviceName: config.serviceName,
  });
  const writer = createAuditWriter({
    client: new DynamoDBClient({
      region: config.region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
      // The writer retries throttling and transient faults itself, with backoff and jitter;
      // SDK retries underneath would multiply its attempts.
      maxAttempts: 1,
    }),
    tableName: config.tableName,
    retentionDays: config.retentionDays,
    now: () => clock().getTime(),
  });
  const quarantine =
    config.quarantine.kind === 'sqs'
      ? createSqsQuarantine({
          client: new SQSClient({ region: config.region }),
          queueUrl: config.quarantine.queueUrl,
          maxMessageBytes: SQS_DEFAULT_QUEUE_MESSAGE_BYTES,
        })
      : createFileQuarantine({ path: config.quarantine.path });
  return { config, writer, quarantine, logger, metrics, clock };
}
