/**
 * The ingest Lambdas' configuration, read once per cold start from environment variables and
 * validated as a whole: every bad variable is named in one message, so one deploy fixes them all.
 *
 * A variable set to an empty or blank string counts as unset (a CDK token or shell expansion that
 * resolved to nothing), so it gets its default or, when required, is reported as missing.
 */

export interface IngestConfig {
  /** TABLE_NAME: the audit table. */
  tableName: string;
  /** RETENTION_DAYS: days an audit item is kept after the change it records (default 30). */
  retentionDays: number;
  /** QUARANTINE_QUEUE_URL (SQS) or QUARANTINE_FILE (NDJSON, local mode): exactly one. */
  quarantine: { kind: 'sqs'; queueUrl: string } | { kind: 'file'; path: string };
  /** DYNAMODB_ENDPOINT: a local DynamoDB (DynamoDB Local, dynalite) instead of AWS. */
  dynamoDbEndpoint?: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION: Lambda always sets AWS_REGION. */
  region: string;
  /** POWERTOOLS_SERVICE_NAME (default `ecslog-ingest`). */
  serviceName: string;
  /** POWERTOOLS_METRICS_NAMESPACE (default `ecslog`). */
  metricsNamespace: string;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_SERVICE_NAME = 'ecslog-ingest';
export const DEFAULT_METRICS_NAMESPACE = 'ecslog';

/** One bad variable: its name and what is wrong. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult =
  { ok: true; config: IngestConfig } | { ok: false; problems: ConfigProblem[] };

type Env = Readonly<Record<string, string | undefined>>;

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** CloudWatch's rule for metric namespaces. */
const NAMESPACE = /^[A-Za-z0-9.\-_/#:]{1,255}$/;

/**
 * Validates the environment without throwing: the config, or every problem found.
 *
 * @example
 * const result = parseConfig({ TABLE_NAME: 'audit', QUARANTINE_FILE: '/tmp/q.ndjson', AWS_REGION: 'eu-west-1' });
 * if (result.ok) console.log(result.config.retentionDays); // 30
 */
export function parseConfig(env: Env): ConfigResult {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message });
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const tableName = read('TABLE_NAME');
  if (tableName === undefined) problem('TABLE_NAME', 'is required (the audit table name)');
  else if (!TABLE_NAME.test(tableName))
    problem(
      'TABLE_NAME',
      `must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${quote(tableName)}`,
    );

  let retentionDays = DEFAULT_RETENTION_DAYS;
  const retention = read('RETENTION_DAYS');
  if (retention !== undefined) {
    const days = Number(retention);
    if (!Number.isFinite(days) || days <= 0)
      problem('RETENTION_DAYS', `must be a positive number of days, got ${quote(retention)}`);
    else retentionDays = days;
  }

  const queueUrl = read('QUARANTINE_QUEUE_URL');
  const file = read('QUARANTINE_FILE');
  let quarantine: IngestConfig['quarantine'] | undefined;
  if (queueUrl !== undefined && file !== undefined) {
    problem('QUARANTINE_QUEUE_URL', 'and QUARANTINE_FILE are both set: set exactly one');
    problem('QUARANTINE_FILE', 'and QUARANTINE_QUEUE_URL are both set: set exactly one');
  } else if (queueUrl === undefined && file === undefined) {
    problem('QUARANTINE_QUEUE_URL', 'or QUARANTINE_FILE is required: set exactly one');
    problem('QUARANTINE_FILE', 'or QUARANTINE_QUEUE_URL is required: set exactly one');
  } else if (queueUrl !== undefined) {
    const urlProblem = httpUrlProblem(queueUrl);
    if (urlProblem) problem('QUARANTINE_QUEUE_URL', urlProblem);
    // FIFO queues need a MessageGroupId on every send; the quarantine uses a standard queue.
    else if (queueUrl.endsWith('.fifo'))
      problem('QUARANTINE_QUEUE_URL', `must be a standard queue, not FIFO, got ${quote(queueUrl)}`);
    else quarantine = { kind: 'sqs', queueUrl };
  } else if (file !== undefined) {
    quarantine = { kind: 'file', path: file };
  }

  const dynamoDbEndpoint = read('DYNAMODB_ENDPOINT');
  if (dynamoDbEndpoint !== undefined) {
    const urlProblem = httpUrlProblem(dynamoDbEndpoint);
    if (urlProblem) problem('DYNAMODB_ENDPOINT', urlProblem);
  }

  const region = read('AWS_REGION') ?? read('AWS_DEFAULT_REGION');
  if (region === undefined)
    problem('AWS_REGION', 'is required (Lambda sets it; set it yourself in local mode)');

  const serviceName = read('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  const metricsNamespace = read('POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE;
  if (!NAMESPACE.test(metricsNamespace))
    problem(
      'POWERTOOLS_METRICS_NAMESPACE',
      `must be a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :), got ${quote(metricsNamespace)}`,
    );

  if (problems.length > 0 || !tableName || !quarantine || !region) return { ok: false, problems };
  return {
    ok: true,
    config: {
      tableName,
      retentionDays,
      quarantine,
      ...(dynamoDbEndpoint ? { dynamoDbEndpoint } : {}),
      region,
      serviceName,
      metricsNamespace,
    },
  };
}

/**
 * The config, or a {@link ConfigurationError} naming every bad variable: for the cold start,
 * where a bad configuration must stop the function before it takes any event.
 */
export function loadConfig(env: Env): IngestConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new ConfigurationError(result.problems);
  return result.config;
}

/** The environment is missing variables or has bad values; `problems` lists each one. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `ecslog ingest is misconfigured (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
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

/** Values are quoted and cut short: configuration is not secret, but it may be long. */
function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}
