/**
 * The notifier Lambdas' configuration, read once per cold start from environment variables and
 * validated as a whole: every bad variable is named in one message, so one deploy fixes them all.
 * Webhook URLs are never here: the variables name the secret and the parameter that hold them
 * (read by the runtime with the SDK), so no URL is ever in a template or a function's settings.
 *
 * A variable set to an empty or blank string counts as unset (a CDK token or shell expansion that
 * resolved to nothing).
 */
import type { NotifyConfig } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG, parseNotifyConfig } from '@ecslog/incidents';

export interface NotifierAppConfig {
  /** TABLE_NAME: the audit table (the notifier's items live under `I#…` in it). */
  tableName: string;
  /** RETENTION_DAYS: days a resolved incident's snapshot is kept (default 30, the table's). */
  retentionDays: number;
  /** NOTIFY_CONFIG: JSON, a partial {@link NotifyConfig} (validated by `parseNotifyConfig`). */
  notify: NotifyConfig;
  /** The channels; at least one. */
  channels: {
    /** SNS_TOPIC_ARN: an SNS topic. */
    snsTopicArn?: string;
    /** SLACK_WEBHOOK_SECRET_ARN: a Secrets Manager secret whose value is a Slack incoming-webhook URL. */
    slackWebhookSecretArn?: string;
    /** WEBHOOK_URL_PARAMETER: the name of an SSM SecureString parameter holding a webhook URL. */
    webhookUrlParameter?: string;
    /** WEBHOOK_SIGNING_SECRET_ARN: a Secrets Manager secret; its value signs webhook bodies (HMAC-SHA256). */
    webhookSigningSecretArn?: string;
  };
  /** DEAD_LETTER_QUEUE_URL: SQS, where a message goes after its last failed attempt. */
  deadLetterQueueUrl: string;
  /** DYNAMODB_ENDPOINT: a local DynamoDB (DynamoDB Local, dynalite) instead of AWS. */
  dynamoDbEndpoint?: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION: Lambda always sets AWS_REGION. */
  region: string;
  /** POWERTOOLS_SERVICE_NAME (default `ecslog-notifier`). */
  serviceName: string;
  /** POWERTOOLS_METRICS_NAMESPACE (default `ecslog`). */
  metricsNamespace: string;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_SERVICE_NAME = 'ecslog-notifier';
export const DEFAULT_METRICS_NAMESPACE = 'ecslog';

/** The environment variables this app reads, by name (infra sets exactly these). */
export const ENV = {
  tableName: 'TABLE_NAME',
  retentionDays: 'RETENTION_DAYS',
  notifyConfig: 'NOTIFY_CONFIG',
  snsTopicArn: 'SNS_TOPIC_ARN',
  slackWebhookSecretArn: 'SLACK_WEBHOOK_SECRET_ARN',
  webhookUrlParameter: 'WEBHOOK_URL_PARAMETER',
  webhookSigningSecretArn: 'WEBHOOK_SIGNING_SECRET_ARN',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
} as const;

/** One bad variable: its name and what is wrong. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult =
  { ok: true; config: NotifierAppConfig } | { ok: false; problems: ConfigProblem[] };

type Env = Readonly<Record<string, string | undefined>>;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const NAMESPACE = /^[A-Za-z0-9.\-_/#:]{1,255}$/;
const SNS_TOPIC_ARN = /^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]{1,256}(?:\.fifo)?$/;
const SECRET_ARN = /^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+$/;
/** An SSM parameter name (`/ecslog/prod/webhook-url`) or ARN. */
const PARAMETER_NAME = /^(?:arn:[\w-]+:ssm:[\w-]+:\d{12}:parameter)?\/?[\w.\-/]{1,2048}$/;

/**
 * Validates the environment without throwing: the config, or every problem found.
 *
 * @example
 * const result = parseConfig({
 *   TABLE_NAME: 'ecslog-audit', AWS_REGION: 'eu-west-1',
 *   SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:ecslog-incidents',
 *   DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-notifier-dlq',
 * });
 * if (result.ok) console.log(result.config.notify.quietPeriodMinutes); // 60
 */
export function parseConfig(env: Env): ConfigResult {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message });
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  /** `secret`: the value is never shown (a URL pasted where its secret's ARN belongs is one). */
  const checked = (
    name: string,
    pattern: RegExp,
    what: string,
    secret = false,
  ): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    if (pattern.test(value)) return value;
    problem(
      name,
      secret
        ? `must be ${what} (the value is not shown: it may be a secret itself)`
        : `must be ${what}, got ${quote(value)}`,
    );
    return undefined;
  };

  const tableName = read(ENV.tableName);
  if (tableName === undefined) problem(ENV.tableName, 'is required (the audit table name)');
  else if (!TABLE_NAME.test(tableName))
    problem(
      ENV.tableName,
      `must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${quote(tableName)}`,
    );

  let retentionDays = DEFAULT_RETENTION_DAYS;
  const retention = read(ENV.retentionDays);
  if (retention !== undefined) {
    const days = Number(retention);
    if (!Number.isFinite(days) || days <= 0)
      problem(ENV.retentionDays, `must be a positive number of days, got ${quote(retention)}`);
    else retentionDays = days;
  }

  let notify: NotifyConfig = DEFAULT_NOTIFY_CONFIG;
  const notifyJson = read(ENV.notifyConfig);
  if (notifyJson !== undefined) {
    let input: unknown;
    try {
      input = JSON.parse(notifyJson);
    } catch {
      problem(ENV.notifyConfig, `must be JSON, got ${quote(notifyJson)}`);
    }
    if (input !== undefined) {
      const parsed = parseNotifyConfig(input);
      if (parsed.ok) notify = parsed.config;
      else problem(ENV.notifyConfig, parsed.error);
    }
  }

  const snsTopicArn = checked(ENV.snsTopicArn, SNS_TOPIC_ARN, 'an SNS topic ARN');
  const slackWebhookSecretArn = checked(
    ENV.slackWebhookSecretArn,
    SECRET_ARN,
    'a Secrets Manager secret ARN',
    true,
  );
  const webhookUrlParameter = checked(
    ENV.webhookUrlParameter,
    PARAMETER_NAME,
    'an SSM parameter name or ARN',
    true,
  );
  const webhookSigningSecretArn = checked(
    ENV.webhookSigningSecretArn,
    SECRET_ARN,
    'a Secrets Manager secret ARN',
    true,
  );
  if (webhookSigningSecretArn !== undefined && read(ENV.webhookUrlParameter) === undefined)
    problem(
      ENV.webhookSigningSecretArn,
      `signs webhook bodies: set ${ENV.webhookUrlParameter} too`,
    );
  const channelNames = [ENV.snsTopicArn, ENV.slackWebhookSecretArn, ENV.webhookUrlParameter];
  if (channelNames.every((name) => read(name) === undefined))
    problem(channelNames.join(' / '), 'none is set: configure at least one channel');

  const deadLetterQueueUrl = read(ENV.deadLetterQueueUrl);
  if (deadLetterQueueUrl === undefined)
    problem(ENV.deadLetterQueueUrl, 'is required (SQS: messages a channel never took)');
  else if (httpUrlProblem(deadLetterQueueUrl))
    problem(ENV.deadLetterQueueUrl, httpUrlProblem(deadLetterQueueUrl) as string);

  const dynamoDbEndpoint = read(ENV.dynamoDbEndpoint);
  if (dynamoDbEndpoint !== undefined && httpUrlProblem(dynamoDbEndpoint))
    problem(ENV.dynamoDbEndpoint, httpUrlProblem(dynamoDbEndpoint) as string);

  const region = read('AWS_REGION') ?? read('AWS_DEFAULT_REGION');
  if (region === undefined)
    problem('AWS_REGION', 'is required (Lambda sets it; set it yourself elsewhere)');

  const serviceName = read('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  const metricsNamespace = read('POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE;
  if (!NAMESPACE.test(metricsNamespace))
    problem(
      'POWERTOOLS_METRICS_NAMESPACE',
      `must be a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :), got ${quote(metricsNamespace)}`,
    );

  if (problems.length > 0 || !tableName || !deadLetterQueueUrl || !region)
    return { ok: false, problems };
  return {
    ok: true,
    config: {
      tableName,
      retentionDays,
      notify,
      channels: {
        ...(snsTopicArn ? { snsTopicArn } : {}),
        ...(slackWebhookSecretArn ? { slackWebhookSecretArn } : {}),
        ...(webhookUrlParameter ? { webhookUrlParameter } : {}),
        ...(webhookSigningSecretArn ? { webhookSigningSecretArn } : {}),
      },
      deadLetterQueueUrl,
      ...(dynamoDbEndpoint ? { dynamoDbEndpoint } : {}),
      region,
      serviceName,
      metricsNamespace,
    },
  };
}

/**
 * The config, or a {@link ConfigurationError} naming every bad variable: for the cold start,
 * where a bad configuration must stop the function before it takes any record.
 */
export function loadConfig(env: Env): NotifierAppConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new ConfigurationError(result.problems);
  return result.config;
}

/** The environment is missing variables or has bad values; `problems` lists each one. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `ecslog notifier is misconfigured (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
        problems.map((p) => `${p.variable} ${p.message}`).join('; '),
    );
  }
}

function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an http(s) URL, got ${quote(value)}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must be an http(s) URL, got ${quote(value)}`;
  return undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}
