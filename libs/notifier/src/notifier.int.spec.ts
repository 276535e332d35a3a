/**
 * The notifier end to end on real servers — records in, messages at a real webhook receiver and
 * a checking SNS server — with an injected clock: what is told and what is not (other origins,
 * filters, mutes), retries after backoff, dead letters, the clock's resolutions and silence,
 * and the incidents listed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import { createAuditTable, startLocalDynamoDb } from '@ecslog/audit-store/testing';
import type { NotifyConfig } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG } from '@ecslog/incidents';
import { createSnsChannel } from './channels/sns-channel';
import { createWebhookChannel } from './channels/webhook-channels';
import type { DeadLetter } from './delivery/dead-letters';
import { createFileDeadLetters } from './delivery/dead-letters';
import type { DeliveryPolicy } from './delivery/deliver-pending';
import { createIncidentReader } from './incident-reader';
import { createMuteStore, InvalidMuteError } from './mutes';
import { createNotifier, openRunsByGroupReader } from './notifier';
import type { ObservedRecord } from './notifier-api';
import type { LocalSnsServer, WebhookReceiver } from './testing';
import {
  BATCH_CLUSTER,
  FAMILY_EXIT_OUTCOME,
  familyRun,
  localSnsClient,
  PROD_WEB_CLUSTER,
  serviceStop,
  startSnsServer,
  startWebhookReceiver,
  steadyState,
  SUCCEEDED_OUTCOME,
  taskIdOf,
  updateService,
} from './testing';

const T0 = Date.parse('2026-11-20T02:05:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const live = (...records: AuditRecord[]): ObservedRecord[] =>
  records.map((record) => ({ record, origin: 'live' }));
const NIGHTLY = `${BATCH_CLUSTER}#family:nightly-report#failure#essential-container-exited`;

const failedNightly = (n: number, at: number) =>
  familyRun({
    family: 'nightly-report',
    taskId: taskIdOf(n),
    at: iso(at),
    outcome: FAMILY_EXIT_OUTCOME,
  });
const succeededNightly = (n: number, at: number) =>
  familyRun({
    family: 'nightly-report',
    taskId: taskIdOf(n),
    at: iso(at),
    outcome: SUCCEEDED_OUTCOME,
  });

describe.each<LocalDynamoDbKind>(['dynalite', 'dynamodb-local'])('notifier on %s', (kind) => {
  let server: LocalDynamoDb;
  let receiver: WebhookReceiver;
  let sns: LocalSnsServer;
  let snsClient: SNSClient;
  let folder: string;
  let tableName: string;
  let clock: number;
  let path: string;
  let topicArn: string;
  let deadLetterFile: string;

  beforeAll(async () => {
    [server, receiver, sns] = await Promise.all([
      startLocalDynamoDb(kind),
      startWebhookReceiver(),
      startSnsServer(),
    ]);
    snsClient = localSnsClient(sns.endpoint);
    folder = await mkdtemp(join(tmpdir(), 'notifier-'));
  }, 60_000);
  afterAll(async () => {
    snsClient?.destroy();
    await Promise.all([server?.stop(), receiver?.stop(), sns?.stop()]);
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    tableName = await createAuditTable(server.client);
    clock = T0 + MINUTE;
    path = `/hooks/${tableName}`;
    topicArn = sns.createTopic(tableName);
    deadLetterFile = join(folder, `${tableName}.ndjson`);
    receiver.answerAll(200);
  });

  function notifierOf(
    options: {
      config?: NotifyConfig;
      delivery?: Partial<DeliveryPolicy>;
      running?: Map<string, number>;
      sns?: boolean;
    } = {},
  ) {
    return createNotifier({
      client: server.client,
      tableName,
      config: options.config ?? DEFAULT_NOTIFY_CONFIG,
      channels: [
        createWebhookChannel({ url: new URL(path, receiver.url).href }),
        ...(options.sns ? [createSnsChannel({ client: snsClient, topicArn })] : []),
      ],
      deadLetters: createFileDeadLetters(deadLetterFile, () => clock),
      now: () => clock,
      random: () => 0.5,
      ...(options.delivery && { delivery: options.delivery }),
      openRunsByGroup: async () => options.running ?? new Map(),
    });
  }

  const reader = () => createIncidentReader({ client: server.client, tableName, now: () => clock });
  const received = () => receiver.requests.filter((r) => r.path === path);
  const deliveredKinds = () =>
    received()
      .filter((r) => r.status === 200)
      .map((r) => (JSON.parse(r.body) as { kind: string }).kind);

  it('opens an incident with one message on every channel', async () => {
    const notifier = notifierOf({ sns: true });
    const failure = failedNightly(1, T0);

    const report = await notifier.observe(live(failure, failure));
    const delivery = await notifier.deliverQueued();
    const again = await notifier.deliverQueued();

    expect(report).toEqual({ changed: 1, ignored: 1, messagesQueued: 2, opened: 1, resolved: 0 });
    expect(delivery).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
    expect(again).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    const [request] = received();
    const body = JSON.parse(request?.body ?? '{}') as { messageId: string };
    expect(body).toMatchObject({
      schema: 'ecslog.incident-message/1',
      kind: 'opened',
      messageId: `${NIGHTLY}#1#opened#0`,
      createdAt: iso(clock),
      incident: { id: NIGHTLY, failedRuns: 1, first: { taskId: taskIdOf(1) } },
    });
    expect(request?.headers['idempotency-key']).toBe(body.messageId);
    expect(sns.published(topicArn).map((p) => p.attributes['messageId']?.value)).toEqual([
      body.messageId,
    ]);
    const incidents = await reader().listIncidents({ open: true });
    expect(incidents.map((i) => [i.id, i.status, i.openedAt])).toEqual([
      [NIGHTLY, 'open', iso(T0)],
    ]);
  });

  it('deliverQueued sends what its own observe queued; deliverPending everything due', async () => {
    const stopped = notifierOf(); // observed, then stopped before delivering
    const running = notifierOf();
    await stopped.observe(live(failedNightly(20, T0)));
    await running.observe(
      live(serviceStop({ service: 'web', taskId: taskIdOf(21), at: iso(T0 + MINUTE) })),
    );

    const own = await running.deliverQueued();
    const rest = await running.deliverPending();

    expect([own.sent, rest.sent]).toEqual([1, 1]);
    expect(received().map((r) => String(r.headers['idempotency-key']).split('#')[1])).toEqual([
      'service:web',
      'family:nightly-report',
    ]);
  });

  it('tells nothing of backfilled or redriven records, and keeps nothing of them', async () => {
    const notifier = notifierOf();
    const failure = failedNightly(2, T0);

    const report = await notifier.observe([
      { record: failure, origin: 'backfill' },
      { record: failure, origin: 'redrive' },
    ]);
    await notifier.tick();

    expect(report).toEqual({
      changed: 0,
      ignored: 2,
      messagesQueued: 0,
      opened: 0,
      resolved: 0,
    });
    expect(received()).toEqual([]);
    expect(await reader().listIncidents({})).toEqual([]);
  });

  it("a crash loop out of order (the property's counterexample): each incident opens and resolves once", async () => {
    const notifier = notifierOf();
    const stops = [0, 1, 2, 3, 4].map((i) =>
      serviceStop({ service: 'web', taskId: taskIdOf(0x100 + i), at: iso(T0 + i * MINUTE) }),
    );
    const steady = steadyState('web', iso(T0 + 8 * MINUTE));

    // The recovery first (nothing open yet: it changes nothing), then the stops out of order.
    for (const record of [steady, stops[0], stops[2], stops[4], stops[3], stops[1]])
      await notifier.observe(live(record as AuditRecord));
    await notifier.observe(live(steady));
    await notifier.deliverPending();

    const incidents = await reader().listIncidents({});
    expect(incidents.map((i) => [i.key.kind, i.failedRuns, i.status, i.resolution]).sort()).toEqual(
      [
        ['crash-loop', 5, 'resolved', 'steady-state'],
        ['failure', 5, 'resolved', 'steady-state'],
      ],
    );
    expect(deliveredKinds().sort()).toEqual(['opened', 'opened', 'resolved', 'resolved']);
  });

  it('a channel that fails is retried by a later tick, after its backoff, and delivers once', async () => {
    const notifier = notifierOf();
    receiver.plan(500);

    await notifier.observe(live(failedNightly(3, T0)));
    const first = await notifier.deliverPending();
    clock += 10_000;
    const tooEarly = await notifier.tick();
    clock += 5 * MINUTE;
    const retried = await notifier.tick();
    clock += 5 * MINUTE;
    const after = await notifier.tick();

    expect([first, tooEarly, retried, after]).toEqual([
      { sent: 0, retrying: 1, deadLettered: 0 },
      { sent: 0, retrying: 0, deadLettered: 0, opened: 0, resolved: 0 },
      { sent: 1, retrying: 0, deadLettered: 0, opened: 0, resolved: 0 },
      { sent: 0, retrying: 0, deadLettered: 0, opened: 0, resolved: 0 },
    ]);
    expect(received().map((r) => [r.status, r.headers['idempotency-key']])).toEqual([
      [500, `${NIGHTLY}#1#opened#0`],
      [200, `${NIGHTLY}#1#opened#0`],
    ]);
  });

  it('a channel that always fails: one dead letter after the last attempt, the incident kept', async () => {
    const notifier = notifierOf({ delivery: { maxAttempts: 3 } });
    receiver.answerAll(503);

    await notifier.observe(live(failedNightly(4, T0)));
    const reports = [await notifier.deliverPending()];
    for (let tick = 0; tick < 10; tick += 1) {
      clock += 5 * MINUTE;
      reports.push(await notifier.tick());
    }

    expect(received()).toHaveLength(3);
    expect(reports.reduce((sum, r) => sum + r.deadLettered, 0)).toBe(1);
    const letters = (await readFile(deadLetterFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DeadLetter);
    expect(letters.map((l) => [l.channel, l.message.messageId, l.error.status])).toEqual([
      ['webhook', `${NIGHTLY}#1#opened#0`, 503],
    ]);
    // Kept, still open (its quiet period has not passed): only its message was given up.
    expect((await reader().listIncidents({})).map((i) => [i.id, i.status])).toEqual([
      [NIGHTLY, 'open'],
    ]);
  });

  it('a muted group is told nothing while the mute lasts; its incidents are kept', async () => {
    const notifier = notifierOf();
    await notifier.muteGroup({ group: 'family:nightly-report', until: iso(T0 + 30 * MINUTE) });

    const report = await notifier.observe(live(failedNightly(5, T0)));
    await notifier.deliverPending();

    expect(report).toEqual({ changed: 1, ignored: 0, messagesQueued: 0, opened: 1, resolved: 0 });
    expect(received()).toEqual([]);
    expect((await reader().listIncidents({ open: true })).map((i) => i.id)).toEqual([NIGHTLY]);
    expect(await reader().listMutes()).toEqual([
      { group: 'family:nightly-report', until: iso(T0 + 30 * MINUTE) },
    ]);
    clock = T0 + 31 * MINUTE;
    expect(await reader().listMutes()).toEqual([]);
  });

  it('mutes: one cluster or all, replaced when muted again, ended by unmute; bad ones refused', async () => {
    const mutes = createMuteStore({ client: server.client, tableName, now: () => clock });
    await mutes.muteGroup({ group: 'service:web', until: iso(T0 + 10 * MINUTE) });
    await mutes.muteGroup({ group: 'service:web', until: iso(T0 + 20 * MINUTE) });
    await mutes.muteGroup({
      group: 'service:web',
      clusterArn: PROD_WEB_CLUSTER,
      until: iso(T0 + 20 * MINUTE),
    });

    expect(await mutes.listMutes()).toHaveLength(2);
    await mutes.unmuteGroup({ group: 'service:web', clusterArn: PROD_WEB_CLUSTER });
    expect(await mutes.listMutes()).toEqual([
      { group: 'service:web', until: iso(T0 + 20 * MINUTE) },
    ]);
    await expect(mutes.muteGroup({ group: 'web', until: iso(T0 + MINUTE * 5) })).rejects.toThrow(
      InvalidMuteError,
    );
    await expect(
      mutes.muteGroup({ group: 'service:web', until: iso(T0 - MINUTE) }),
    ).rejects.toThrow("a mute's end must be in the future");
    await expect(mutes.muteGroup({ group: 'service:web', until: 'tomorrow' })).rejects.toThrow(
      'ISO-8601',
    );
  });

  it('a group the filters leave out is kept, not told', async () => {
    const notifier = notifierOf({
      config: { ...DEFAULT_NOTIFY_CONFIG, filters: { groups: ['service:api'] } },
    });

    const report = await notifier.observe(live(failedNightly(6, T0)));

    expect(report.messagesQueued).toBe(0);
    expect((await reader().listIncidents({})).map((i) => i.id)).toEqual([NIGHTLY]);
  });

  it('the clock resolves an incident after the quiet period, with one message', async () => {
    const notifier = notifierOf();
    await notifier.observe(live(failedNightly(7, T0)));
    await notifier.deliverPending();

    clock = T0 + 59 * MINUTE;
    const quiet = await notifier.tick();
    clock = T0 + 61 * MINUTE;
    const resolving = await notifier.tick();
    const after = await notifier.tick();

    expect([quiet, resolving, after].map((r) => [r.opened, r.resolved, r.sent])).toEqual([
      [0, 0, 0],
      [0, 1, 1],
      [0, 0, 0],
    ]);
    expect(deliveredKinds()).toEqual(['opened', 'resolved']);
    const [incident] = await reader().listIncidents({});
    expect(incident).toMatchObject({
      status: 'resolved',
      resolution: 'quiet-period',
      resolvedAt: iso(T0 + 61 * MINUTE),
    });
    expect(await reader().listIncidents({ open: true })).toEqual([]);
  });

  it('lists episodes newest first, by when they opened or were open', async () => {
    const notifier = notifierOf();
    const second = T0 + 120 * MINUTE;
    await notifier.observe(live(failedNightly(8, T0), succeededNightly(9, T0 + 10 * MINUTE)));
    await notifier.observe(live(failedNightly(10, second)));
    await notifier.deliverPending();

    const all = await reader().listIncidents({});
    const episodes = (query: Parameters<ReturnType<typeof reader>['listIncidents']>[0]) =>
      reader()
        .listIncidents(query)
        .then((list) => list.map((i) => [i.episode, i.status]));

    expect(all.map((i) => [i.id, i.episode, i.status, i.resolution])).toEqual([
      [NIGHTLY, 2, 'open', undefined],
      [NIGHTLY, 1, 'resolved', 'next-run-succeeded'],
    ]);
    expect(await episodes({ open: true })).toEqual([[2, 'open']]);
    expect(await episodes({ to: iso(T0 + 60 * MINUTE) })).toEqual([[1, 'resolved']]);
    expect(await episodes({ since: iso(T0 + 60 * MINUTE) })).toEqual([[2, 'open']]);
    expect(await episodes({ since: iso(T0 + 5 * MINUTE), to: iso(T0 + 60 * MINUTE) })).toEqual([
      [1, 'resolved'],
    ]);
    expect(deliveredKinds()).toEqual(['opened', 'resolved', 'opened']);
  });

  it('silence: fewer tasks than desired for longer than the threshold, until it runs as desired', async () => {
    const running = new Map([[`${PROD_WEB_CLUSTER}#service:web`, 1]]);
    const notifier = notifierOf({ running });
    await notifier.observe(live(updateService('web', 2, iso(T0))));

    const reports = [await notifier.tick()]; // below desired from now
    clock += 11 * MINUTE;
    reports.push(await notifier.tick()); // silent for longer than 10 min
    running.set(`${PROD_WEB_CLUSTER}#service:web`, 2);
    clock += 5 * MINUTE;
    reports.push(await notifier.tick(), await notifier.tick());

    expect(reports.map((r) => [r.opened, r.resolved])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(deliveredKinds()).toEqual(['opened', 'resolved']);
    const [silence] = await reader().listIncidents({});
    expect(silence).toMatchObject({
      id: `${PROD_WEB_CLUSTER}#service:web#silence`,
      status: 'resolved',
      resolution: 'running-as-desired',
    });
  });

  it('reads the open runs per group from the audit table by default', async () => {
    const writer = createAuditWriter({ client: server.client, tableName });
    const runningOf = (n: number, service: string): AuditRecord => {
      const stopped = serviceStop({ service, taskId: taskIdOf(n), at: iso(T0) });
      const { stoppedAt: _s, stoppedReason: _r, stopCode: _c, ...open } = stopped;
      return {
        ...open,
        recordId: stopped.recordId.replace(/:v\d+$/, ':v3'),
        version: 3,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        outcome: { status: 'in-progress', summary: 'running' },
        containers: stopped.containers?.map(({ exitCode: _e, ...c }) => c),
      };
    };
    await writer.writeRecords([runningOf(11, 'web'), runningOf(12, 'web'), runningOf(13, 'api')]);
    await writer.writeRecords([serviceStop({ service: 'web', taskId: taskIdOf(14), at: iso(T0) })]);

    const counts = await openRunsByGroupReader(server.client, tableName)();

    expect(counts).toEqual(
      new Map([
        [`${PROD_WEB_CLUSTER}#service:web`, 2],
        [`${PROD_WEB_CLUSTER}#service:api`, 1],
      ]),
    );
  });
});
