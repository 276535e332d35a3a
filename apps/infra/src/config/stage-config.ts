/**
 * The typed stage configuration of the CDK app. Every key has a default that deploys a working
 * single-account setup; override with `-c key=value` (or `cdk.json` context). Pure: the context
 * values are an argument.
 */
import type { NotificationsConfig } from './notifications-config';
import { readNotificationsConfig } from './notifications-config';

export type Topology = 'direct' | 'stream';
export type RemovalChoice = 'retain' | 'destroy';

export interface StageConfig {
  /** Names stacks (`ecslog-<stage>-stateful`) and decides defaults: `dev` destroys on teardown. */
  stage: string;
  /**
   * `direct` (default): EventBridge → ingest Lambda + Firehose Direct PUT; pay per use, no fixed
   * cost. `stream`: EventBridge → Kinesis → ingest (event-source mapping) + Firehose from the stream.
   */
  topology: Topology;
  /** Kinesis shards (stream topology). */
  shardCount: number;
  /** Days an audit record stays in the table (its TTL). */
  retentionDays: number;
  /** Clusters to watch (names or ARNs); empty: every cluster of the account and region. */
  clusters: string[];
  /** Also capture ECS API calls through CloudTrail (needs a trail in the account). */
  captureApiCalls: boolean;
  /** The S3 lake (NDJSON for Athena) through Firehose. */
  lake: boolean;
  /** Lake objects move to S3 Standard-IA after this many days. */
  lakeInfrequentAccessDays: number;
  /** Lake objects expire after this many days (0: never). */
  lakeExpireDays: number;
  /** Alarms notify this address (an SNS subscription), and/or */
  alarmEmail?: string;
  /** this existing SNS topic. */
  alarmTopicArn?: string;
  /** What teardown does to the table, bucket, stream and queues. */
  removalPolicy: RemovalChoice;
  /** Member accounts allowed to put ECS events on this account's event bus (the forwarder stack deploys there). */
  memberAccounts: string[];
  /** The account and region of the central (audit) account, for the forwarder stack. */
  centralAccount?: string;
  centralRegion?: string;
  /** The notifier (incidents → SNS, Slack, webhooks): absent, none is deployed. */
  notifications?: NotificationsConfig;
}

/** An AWS region name: `eu-west-1`, `us-gov-west-1`, `ap-southeast-5`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `arn:<partition>:ecs:<region>:<12-digit account>:cluster/<name>`. */
export const CLUSTER_ARN_PATTERN =
  /^arn:aws[a-z-]*:ecs:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;

/** A context value that cannot be used; names every bad key at once. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid ecslog configuration: ${problems.join('; ')}`);
  }
}

/** Reads and validates the context (`-c key=value` values arrive as strings). */
export function readStageConfig(context: (key: string) => unknown): StageConfig {
  const problems: string[] = [];
  const text = (key: string, fallback?: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value !== 'string') problems.push(`${key} must be text`);
    return String(value);
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const value = context(key);
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(
        `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return n;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const value = context(key);
    if (value === undefined || value === '') return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const list = (key: string): string[] => {
    const value = context(key);
    if (value === undefined || value === '') return [];
    if (Array.isArray(value)) return value.map(String);
    return String(value)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  };

  const stage = text('stage', 'dev') as string;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage))
    problems.push(
      `stage must be lower-case letters, digits and dashes (≤ 20), got ${JSON.stringify(stage)}`,
    );
  const topology = text('topology', 'direct');
  if (topology !== 'direct' && topology !== 'stream')
    problems.push(`topology must be direct or stream, got ${JSON.stringify(topology)}`);
  const removalPolicy = text('removalPolicy', stage === 'dev' ? 'destroy' : 'retain');
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy')
    problems.push(`removalPolicy must be retain or destroy, got ${JSON.stringify(removalPolicy)}`);
  const memberAccounts = list('memberAccounts');
  for (const account of memberAccounts)
    if (!/^\d{12}$/.test(account))
      problems.push(`memberAccounts: ${account} is not a 12-digit account id`);
  const alarmTopicArn = text('alarmTopicArn');
  if (alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:/.test(alarmTopicArn))
    problems.push(`alarmTopicArn must be an SNS topic ARN`);
  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))
    problems.push(`alarmEmail must be an e-mail address`);

  const centralAccount = text('centralAccount');
  if (centralAccount !== undefined && !/^\d{12}$/.test(centralAccount))
    problems.push(
      `centralAccount must be the 12-digit id of the central ecslog account, got ${JSON.stringify(centralAccount)}`,
    );
  const centralRegion = text('centralRegion');
  if (centralRegion !== undefined && !REGION_PATTERN.test(centralRegion))
    problems.push(
      `centralRegion must be an AWS region such as eu-west-1, got ${JSON.stringify(centralRegion)}`,
    );
  if (centralRegion !== undefined && centralAccount === undefined)
    problems.push('centralRegion needs centralAccount (the forwarder sends to that account)');
  const clusters = list('clusters');
  // A bare name expands to an ARN of one account and region. With member accounts that would
  // filter out every forwarded event (theirs carry the member's account), so ask for ARNs.
  const bareNames = clusters.filter((cluster) => !cluster.startsWith('arn:'));
  if (memberAccounts.length > 0 && bareNames.length > 0)
    problems.push(
      `clusters: with memberAccounts, name each cluster by its ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME), since a bare name cannot say which account it is in: ${bareNames.join(', ')}`,
    );
  for (const cluster of clusters)
    if (cluster.startsWith('arn:') && !CLUSTER_ARN_PATTERN.test(cluster))
      problems.push(
        `clusters: ${cluster} is not an ECS cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME)`,
      );

  const notifications = readNotificationsConfig(context('notifications'), problems);

  const config: StageConfig = {
    stage,
    topology: topology as Topology,
    shardCount: int('shardCount', 1, 1, 500),
    retentionDays: int('retentionDays', 30, 1, 3650),
    clusters,
    captureApiCalls: bool('captureApiCalls', true),
    lake: bool('lake', true),
    lakeInfrequentAccessDays: int('lakeInfrequentAccessDays', 30, 30, 3650),
    lakeExpireDays: int('lakeExpireDays', 0, 0, 36500),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    removalPolicy: removalPolicy as RemovalChoice,
    memberAccounts,
    ...(centralAccount ? { centralAccount } : {}),
    ...(centralRegion ? { centralRegion } : {}),
    ...(notifications ? { notifications } : {}),
  };
  if (problems.length > 0) throw new StageConfigError(problems);
  return config;
}
