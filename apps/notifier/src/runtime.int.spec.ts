/**
 * The composition root with the real SDK clients against loopback servers: the channels' URLs
 * read from Secrets Manager and SSM at cold start, the notifier on dynalite, and one stream batch
 * end to end — a live failed run opens an incident and its message reaches SNS, Slack and the
 * webhook; the same batch again (a retried or duplicated delivery) sends nothing more.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { toRunItems } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { LocalSnsServer, WebhookReceiver } from '@ecslog/notifier/testing';
import { localSnsClient, startSnsServer, startWebhookReceiver } from '@ecslog/notifier/testing';
import { createHmac } from 'node:crypto';
import type { RuntimeClients } from './runtime';
import { createRuntime } from './runtime';
import { createStreamHandler } from './stream-handler';
import type { LocalParameterServer } from './testing/local-parameter-server';
import { startParameterServer } from './testing/local-parameter-server';
import { streamEventOf, streamRecordOf } from './testing/stream-events';

const OOM = fixtureRecords('eventbridge/task-stopped-oom.json')[0] as AuditRecord;
const SIGNING_SECRET = 'whsec-0f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('createRuntime on loopback servers', () => {
  let db: LocalDynamoDb;
  let sns: LocalSnsServer;
  let parameters: LocalParameterServer;
  let slack: WebhookReceiver;
  let webhook: WebhookReceiver;
  let tableName: string;
  let env: Record<string, string>;
  let clients: RuntimeClients;

  beforeAll(async () => {
    [db, sns, parameters, slack, webhook] = await Promise.all([
      startDynalite(),
      startSnsServer(),
      startParameterServer(),
      startWebhookReceiver(),
      startWebhookReceiver(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([
      db?.stop(),
      sns?.stop(),
      parameters?.stop(),
      slack?.stop(),
      webhook?.stop(),
    ]);
  });
  beforeEach(async () => {
    tableName = await createAuditTable(db.client);
    const topicArn = sns.createTopic(`ecslog-incidents-${tableName}`);
    const slackArn = parameters.putSecret(`ecslog/${tableName}/slack-webhook`, `${slack.url}\n`);
    const signingArn = parameters.putSecret(`ecslog/${tableName}/webhook-signing`, SIGNING_SECRET);
    parameters.putSecureParameter(`/ecslog/${tableName}/webhook-url`, webhook.url);
    env = {
      TABLE_NAME: tableName,
      AWS_REGION: 'eu-west-1',
      SNS_TOPIC_ARN: topicArn,
      SLACK_WEBHOOK_SECRET_ARN: slackArn,
      WEBHOOK_URL_PARAMETER: `/ecslog/${tableName}/webhook-url`,
      WEBHOOK_SIGNING_SECRET_ARN: signingArn,
      DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-notifier-dlq',
      NOTIFY_CONFIG: JSON.stringify({ updateIntervalMinutes: 30 }),
    };
    clients = {
      dynamoDb: db.client,
      sns: localSnsClient(sns.endpoint),
      secretsManager: parameters.secretsManagerClient(),
      ssm: parameters.ssmClient(),
    };
  });

  it('reads each URL once at cold start and names the channels', async () => {
    const before = parameters.targets.length;
    const runtime = await createRuntime(env, clients);
    expect(runtime.channelNames).toEqual(['sns', 'slack', 'webhook']);
    expect(runtime.config.notify.updateIntervalMinutes).toBe(30);
    expect(parameters.targets.slice(before).sort()).toEqual([
      'AmazonSSM.GetParameter',
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
    ]);
  });

  it('fails the cold start naming a secret or parameter it cannot read', async () => {
    await expect(
      createRuntime({ ...env, WEBHOOK_URL_PARAMETER: '/ecslog/none/webhook-url' }, clients),
    ).rejects.toMatchObject({
      name: 'ChannelSourceError',
      message: expect.stringContaining('parameter /ecslog/none/webhook-url: ParameterNotFound'),
    });
    const missing = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecslog/none-Zz99Yy';
    await expect(
      createRuntime({ ...env, SLACK_WEBHOOK_SECRET_ARN: missing }, clients),
    ).rejects.toMatchObject({
      name: 'ChannelSourceError',
      message: expect.stringContaining(`secret ${missing}: ResourceNotFoundException`),
    });
  });

  it('tells a live failed run once on every channel, however often the batch comes', async () => {
    const handler = createStreamHandler(await createRuntime(env, clients));
    const run = toRunItems(OOM, 30)![0]!.item;
    const event = streamEventOf([streamRecordOf(run, { eventName: 'MODIFY' })]);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    const [hook] = webhook.delivered();
    expect(webhook.delivered()).toHaveLength(1);
    const body = JSON.parse(hook!.body) as { schema: string; kind: string; messageId: string };
    expect(body).toMatchObject({ schema: 'ecslog.incident-message/1', kind: 'opened' });
    expect(hook!.headers['idempotency-key']).toBe(body.messageId);
    const signature = createHmac('sha256', SIGNING_SECRET).update(hook!.body).digest('hex');
    expect(hook!.headers['x-ecslog-signature']).toBe(`sha256=${signature}`);
    expect(slack.delivered()).toHaveLength(1);
    expect(JSON.parse(slack.delivered()[0]!.body)).toHaveProperty('blocks');
    expect(sns.published(env['SNS_TOPIC_ARN']!)).toHaveLength(1);
  });
});
