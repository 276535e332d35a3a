/**
 * The `notifications` stage option: which channels the notifier tells, and how it decides
 * (`config`, a partial `NotifyConfig` of `@ecslog/incidents`). Absent: no notifier is deployed.
 * Webhook URLs are never here: the options name the Secrets Manager secret and the SSM
 * SecureString parameter that hold them, which the notifier reads at cold start.
 *
 * `cdk.json` context (or `-c notifications='{…}'`, JSON):
 * ```json
 * "notifications": {
 *   "snsTopic": true,
 *   "emails": ["oncall@example.com"],
 *   "slackWebhookSecretArn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecslog/prod/slack-webhook-Ab12Cd",
 *   "webhookUrlParameterName": "/ecslog/prod/webhook-url",
 *   "config": { "quietPeriodMinutes": 120, "filters": { "clusters": ["prod"] } }
 * }
 * ```
 */
import type { NotifyConfig } from '@ecslog/incidents';
import { parseNotifyConfig } from '@ecslog/incidents';

export interface NotificationsConfig {
  /** `true`: a new topic (KMS-encrypted, TLS only); `{ arn }`: an existing topic; absent: none. */
  snsTopic?: true | { arn: string };
  /** E-mail subscriptions to the topic (each address confirms by mail). Needs `snsTopic`. */
  emails: string[];
  /** A secret whose SecretString is the Slack incoming-webhook URL (full ARN, with its suffix). */
  slackWebhookSecretArn?: string;
  /** An SSM SecureString parameter holding a webhook URL (`/ecslog/prod/webhook-url`). */
  webhookUrlParameterName?: string;
  /** A secret whose SecretString signs webhook bodies (`X-Ecslog-Signature`). Needs the webhook. */
  webhookSigningSecretArn?: string;
  /**
   * Customer KMS keys that encrypt the secrets or the parameter (omit for the AWS-managed
   * `aws/secretsmanager` and `aws/ssm` keys, whose policies already admit the account's roles).
   */
  secretKeyArns: string[];
  /** How the notifier decides (validated by `parseNotifyConfig`); passed as NOTIFY_CONFIG. */
  config: Partial<NotifyConfig>;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(?:\.fifo)?$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const PARAMETER_NAME = /^\/?[\w.\-/]{1,1011}$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const KEYS = [
  'snsTopic',
  'emails',
  'slackWebhookSecretArn',
  'webhookUrlParameterName',
  'webhookSigningSecretArn',
  'secretKeyArns',
  'config',
];

/**
 * Reads the `notifications` context value (an object, or its JSON as `-c` gives it); pushes each
 * problem, prefixed `notifications.`, to `problems`. Undefined when absent (or unusable).
 *
 * @example
 * readNotificationsConfig({ snsTopic: true, emails: ['oncall@example.com'] }, problems);
 */
export function readNotificationsConfig(
  value: unknown,
  problems: string[],
): NotificationsConfig | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let input = value;
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch {
      problems.push('notifications must be an object (JSON with -c), got text that is not JSON');
      return undefined;
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push('notifications must be an object');
    return undefined;
  }
  const options = input as Record<string, unknown>;
  const before = problems.length;
  const problem = (message: string) => problems.push(`notifications.${message}`);
  for (const key of Object.keys(options))
    if (!KEYS.includes(key)) problem(`${key} is not an option (options: ${KEYS.join(', ')})`);

  let snsTopic: NotificationsConfig['snsTopic'];
  const topic = options['snsTopic'];
  if (topic === true) snsTopic = true;
  else if (topic === undefined || topic === false) snsTopic = undefined;
  else if (
    typeof topic === 'object' &&
    topic !== null &&
    typeof (topic as { arn?: unknown }).arn === 'string' &&
    TOPIC_ARN.test((topic as { arn: string }).arn)
  )
    snsTopic = { arn: (topic as { arn: string }).arn };
  else problem('snsTopic must be true (a new topic) or { "arn": "<an SNS topic ARN>" }');

  const strings = (key: string): string[] => {
    const list = options[key];
    if (list === undefined) return [];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      problem(`${key} must be a list of strings`);
      return [];
    }
    return list as string[];
  };
  const emails = strings('emails');
  for (const email of emails)
    if (!EMAIL.test(email)) problem(`emails: ${email} is not an e-mail address`);
  if (emails.length > 0 && snsTopic === undefined)
    problem('emails need snsTopic (the topic they subscribe to)');
  const secretKeyArns = strings('secretKeyArns');
  for (const arn of secretKeyArns)
    if (!KEY_ARN.test(arn)) problem(`secretKeyArns: ${arn} is not a KMS key ARN`);

  const text = (key: string, pattern: RegExp, what: string): string | undefined => {
    const item = options[key];
    if (item === undefined || item === '') return undefined;
    if (typeof item === 'string' && pattern.test(item)) return item;
    // Never echoed: a webhook URL pasted here by mistake is itself the secret.
    problem(`${key} must be ${what} (the value is not shown)`);
    return undefined;
  };
  const slackWebhookSecretArn = text(
    'slackWebhookSecretArn',
    SECRET_ARN,
    "a Secrets Manager secret's full ARN (with its 6-character suffix)",
  );
  const webhookUrlParameterName = text(
    'webhookUrlParameterName',
    PARAMETER_NAME,
    'an SSM parameter name such as /ecslog/prod/webhook-url',
  );
  const webhookSigningSecretArn = text(
    'webhookSigningSecretArn',
    SECRET_ARN,
    "a Secrets Manager secret's full ARN (with its 6-character suffix)",
  );
  if (webhookSigningSecretArn !== undefined && options['webhookUrlParameterName'] === undefined)
    problem('webhookSigningSecretArn signs webhook bodies: set webhookUrlParameterName too');
  if (
    topic === undefined &&
    options['slackWebhookSecretArn'] === undefined &&
    options['webhookUrlParameterName'] === undefined
  )
    problem('has no channel: set snsTopic, slackWebhookSecretArn or webhookUrlParameterName');

  let config: Partial<NotifyConfig> = {};
  if (options['config'] !== undefined) {
    const parsed = parseNotifyConfig(options['config']);
    if (parsed.ok) config = options['config'] as Partial<NotifyConfig>;
    else problem(`config: ${parsed.error}`);
  }
  if (problems.length > before) return undefined;
  return {
    ...(snsTopic ? { snsTopic } : {}),
    emails,
    ...(slackWebhookSecretArn ? { slackWebhookSecretArn } : {}),
    ...(webhookUrlParameterName ? { webhookUrlParameterName } : {}),
    ...(webhookSigningSecretArn ? { webhookSigningSecretArn } : {}),
    secretKeyArns,
    config,
  };
}
