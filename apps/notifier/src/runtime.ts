import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Channel } from '@ecslog/notifier';
import {
  createNotifier,
  createSlackWebhookChannel,
  createSnsChannel,
  createSqsDeadLetters,
  createWebhookChannel,
} from '@ecslog/notifier';
import type { NotifierAppConfig } from './config';
import { loadConfig } from './config';
import type { NotifierHandlerDependencies } from './notifier-dependencies';

export interface Runtime extends NotifierHandlerDependencies {
  config: NotifierAppConfig;
  /** The channels' names, for the cold-start log line (never their URLs). */
  channelNames: string[];
}

/** SDK clients a test points at loopback servers; each defaults to a real one in the config's region. */
export interface RuntimeClients {
  dynamoDb?: DynamoDBClient;
  sns?: SNSClient;
  sqs?: SQSClient;
  secretsManager?: SecretsManagerClient;
  ssm?: SSMClient;
}

/**
 * The composition root: the real dependencies of both handlers, built once per cold start from
 * the environment. The webhook URLs are read here, once, from Secrets Manager and SSM (a
 * SecureString, decrypted): a missing secret or parameter fails the cold start, naming it (with
 * `cause`), before any record is taken. A bad variable throws one `ConfigurationError` naming
 * all of them.
 *
 * @example
 * const runtime = await createRuntime(process.env);
 * export const handler = createStreamHandler(runtime);
 */
export async function createRuntime(
  env: Readonly<Record<string, string | undefined>>,
  clients: RuntimeClients = {},
): Promise<Runtime> {
  const config = loadConfig(env);
  const logger = new Logger({ serviceName: config.serviceName });
  const metrics = new Metrics({
    namespace: config.metricsNamespace,
    serviceName: config.serviceName,
  });
  const { region } = config;
  const dynamoDb =
    clients.dynamoDb ??
    new DynamoDBClient({
      region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
    });
  const channels = await loadChannels(config, {
    sns: () => clients.sns ?? new SNSClient({ region }),
    secretsManager: () => clients.secretsManager ?? new SecretsManagerClient({ region }),
    ssm: () => clients.ssm ?? new SSMClient({ region }),
  });
  const notifier = createNotifier({
    client: dynamoDb,
    tableName: config.tableName,
    config: config.notify,
    channels,
    deadLetters: createSqsDeadLetters({
      client: clients.sqs ?? new SQSClient({ region }),
      queueUrl: config.deadLetterQueueUrl,
    }),
    retentionDays: config.retentionDays,
  });
  const channelNames = channels.map((channel) => channel.name);
  logger.info('notifier ready', { channels: channelNames, table: config.tableName });
  return { config, notifier, logger, metrics, channelNames };
}

/**
 * The channels the config names, their URLs read now: SNS (the topic ARN is no secret), Slack
 * (a Secrets Manager secret whose SecretString is the incoming-webhook URL), webhook (an SSM
 * SecureString parameter holding the URL; its bodies signed when a signing secret is named).
 */
export async function loadChannels(
  config: Pick<NotifierAppConfig, 'channels'>,
  clients: {
    sns: () => SNSClient;
    secretsManager: () => SecretsManagerClient;
    ssm: () => SSMClient;
  },
): Promise<Channel[]> {
  const { snsTopicArn, slackWebhookSecretArn, webhookUrlParameter, webhookSigningSecretArn } =
    config.channels;
  const channels: Channel[] = [];
  if (snsTopicArn)
    channels.push(createSnsChannel({ client: clients.sns(), topicArn: snsTopicArn }));
  if (slackWebhookSecretArn) {
    const url = await readSecret(clients.secretsManager(), slackWebhookSecretArn);
    channels.push(createSlackWebhookChannel({ url }));
  }
  if (webhookUrlParameter) {
    const url = await readParameter(clients.ssm(), webhookUrlParameter);
    const signingSecret = webhookSigningSecretArn
      ? await readSecret(clients.secretsManager(), webhookSigningSecretArn)
      : undefined;
    channels.push(createWebhookChannel({ url, ...(signingSecret ? { signingSecret } : {}) }));
  }
  return channels;
}

/** A secret's SecretString, trimmed (a URL pasted with a newline still works). */
export async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw new ChannelSourceError(`secret ${secretId}`, error);
  }
  if (!value?.trim()) throw new ChannelSourceError(`secret ${secretId}`, 'it has no SecretString');
  return value.trim();
}

/** A parameter's value, decrypted (a SecureString). */
export async function readParameter(client: SSMClient, name: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true })))
      .Parameter?.Value;
  } catch (error) {
    throw new ChannelSourceError(`parameter ${name}`, error);
  }
  if (!value?.trim()) throw new ChannelSourceError(`parameter ${name}`, 'it has no value');
  return value.trim();
}

/** A channel's secret or parameter could not be read at cold start. */
export class ChannelSourceError extends Error {
  override readonly name = 'ChannelSourceError';
  constructor(
    readonly source: string,
    cause: unknown,
  ) {
    super(
      `cannot read the ${source}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
      { cause },
    );
  }
}

/**
 * A runtime built on first use and kept for the container's life; a failed build is not kept,
 * so the next invocation tries again (a throttled Secrets Manager call must not poison the
 * container).
 */
export function lazily<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
