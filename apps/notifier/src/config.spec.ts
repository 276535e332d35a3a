import { DEFAULT_NOTIFY_CONFIG } from '@ecslog/incidents';
import { ConfigurationError, loadConfig, parseConfig } from './config';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ecslog-prod-incidents';
const SLACK =
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecslog/prod/slack-webhook-Ab12Cd';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-prod-notifier-dlq';
const BASE = {
  TABLE_NAME: 'ecslog-prod-audit',
  AWS_REGION: 'eu-west-1',
  DEAD_LETTER_QUEUE_URL: DLQ,
};

describe('parseConfig', () => {
  it('reads a full environment', () => {
    const result = parseConfig({
      ...BASE,
      SNS_TOPIC_ARN: TOPIC,
      SLACK_WEBHOOK_SECRET_ARN: SLACK,
      WEBHOOK_URL_PARAMETER: '/ecslog/prod/webhook-url',
      RETENTION_DAYS: '90',
      NOTIFY_CONFIG: '{"quietPeriodMinutes":120,"filters":{"clusters":["prod"]}}',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        tableName: 'ecslog-prod-audit',
        retentionDays: 90,
        notify: expect.objectContaining({
          quietPeriodMinutes: 120,
          filters: { clusters: ['prod'] },
        }),
        channels: {
          snsTopicArn: TOPIC,
          slackWebhookSecretArn: SLACK,
          webhookUrlParameter: '/ecslog/prod/webhook-url',
        },
        deadLetterQueueUrl: DLQ,
        region: 'eu-west-1',
        serviceName: 'ecslog-notifier',
        metricsNamespace: 'ecslog',
      },
    });
  });

  it('defaults the notify config and the retention', () => {
    const result = parseConfig({ ...BASE, SNS_TOPIC_ARN: TOPIC, NOTIFY_CONFIG: ' ' });
    expect(result.ok && result.config.notify).toEqual(DEFAULT_NOTIFY_CONFIG);
    expect(result.ok && result.config.retentionDays).toBe(30);
  });

  it('names every bad variable at once', () => {
    const result = parseConfig({
      TABLE_NAME: 'a',
      SLACK_WEBHOOK_SECRET_ARN: 'https://hooks.slack.com/services/T000/B000/XXXX',
      WEBHOOK_SIGNING_SECRET_ARN: SLACK,
      NOTIFY_CONFIG: '{"quietPeriodMinutes":0}',
      RETENTION_DAYS: 'forever',
    });
    expect(result.ok).toBe(false);
    const variables = result.ok ? [] : result.problems.map((p) => p.variable);
    expect(variables).toEqual([
      'TABLE_NAME',
      'RETENTION_DAYS',
      'NOTIFY_CONFIG',
      'SLACK_WEBHOOK_SECRET_ARN',
      'WEBHOOK_SIGNING_SECRET_ARN',
      'DEAD_LETTER_QUEUE_URL',
      'AWS_REGION',
    ]);
    // A URL put where its secret's ARN goes is refused without showing it.
    expect(JSON.stringify(result)).toContain('must be a Secrets Manager secret ARN');
    expect(JSON.stringify(result)).not.toContain('hooks.slack.com');
  });

  it('needs at least one channel, and refuses NOTIFY_CONFIG that is not JSON', () => {
    const none = parseConfig(BASE);
    expect(none.ok ? [] : none.problems).toEqual([
      {
        variable: 'SNS_TOPIC_ARN / SLACK_WEBHOOK_SECRET_ARN / WEBHOOK_URL_PARAMETER',
        message: 'none is set: configure at least one channel',
      },
    ]);
    const notJson = parseConfig({ ...BASE, SNS_TOPIC_ARN: TOPIC, NOTIFY_CONFIG: '{quiet: 5}' });
    expect(notJson.ok ? [] : notJson.problems.map((p) => p.variable)).toEqual(['NOTIFY_CONFIG']);
  });

  it('throws one ConfigurationError from loadConfig', () => {
    expect(() => loadConfig({})).toThrow(ConfigurationError);
    expect(() => loadConfig({})).toThrow(/TABLE_NAME is required/);
  });
});
