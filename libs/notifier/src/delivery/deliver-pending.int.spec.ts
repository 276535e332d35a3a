/**
 * The sender on real servers, with a real webhook receiver on loopback and an injected clock:
 * delivered once, retried after backoff, dead-lettered after the last attempt, in order per
 * incident and channel, one sender at a time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import { createAuditTable, startLocalDynamoDb } from '@ecslog/audit-store/testing';
import type { IncidentMessage, ItemRef } from '@ecslog/incidents';
import { createWebhookChannel } from '../channels/webhook-channels';
import type { WebhookReceiver } from '../testing';
import { incidentMessageFixture, startWebhookReceiver } from '../testing';
import { createIncidentStore, outboxKeyOf } from '../store/incident-store';
import type { IncidentStore } from '../store/incident-store';
import type { DeadLetter } from './dead-letters';
import { createFileDeadLetters } from './dead-letters';
import type { DeliveryPolicy } from './deliver-pending';
import { backoffMs, createOutboxSender, DEFAULT_DELIVERY_POLICY } from './deliver-pending';

const T0 = Date.parse('2026-11-30T02:06:00.000Z');
const SECOND = 1_000;
const ref: ItemRef = {
  kind: 'incident',
  id: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-batch#family:nightly-report#failure#out-of-memory',
};

describe('backoff', () => {
  it('doubles from 30 s to the 1 h cap, never below half of its ceiling', () => {
    const policy = DEFAULT_DELIVERY_POLICY;
    expect([1, 2, 3, 8, 9, 10].map((a) => backoffMs(a, policy, 0))).toEqual([
      15_000, 30_000, 60_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
    expect([1, 2, 8, 10].map((a) => backoffMs(a, policy, 1 - 1e-12))).toEqual([
      30_000, 60_000, 3_600_000, 3_600_000,
    ]);
  });
});

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('deliverPending on %s', (kind) => {
  let server: LocalDynamoDb;
  let receiver: WebhookReceiver;
  let folder: string;
  let store: IncidentStore;
  let clock: number;
  let deadLetterFile: string;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startLocalDynamoDb(kind), startWebhookReceiver()]);
    folder = await mkdtemp(join(tmpdir(), 'notifier-dead-letters-'));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), receiver?.stop()]);
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    store = createIncidentStore({
      client: server.client,
      tableName: await createAuditTable(server.client),
    });
    clock = T0;
    deadLetterFile = join(folder, `${Math.random().toString(36).slice(2)}.ndjson`);
    receiver.answerAll(200);
  });

  const senderOf = (policy: Partial<DeliveryPolicy> = {}, random = () => 0.5) =>
    createOutboxSender({
      store,
      channels: [createWebhookChannel({ url: receiver.url, timeoutMs: 1_000 })],
      deadLetters: createFileDeadLetters(deadLetterFile, () => clock),
      now: () => clock,
      random,
      policy,
    });

  async function queue(messages: IncidentMessage[], channel = 'webhook'): Promise<void> {
    await store.update<{ kind: 'incident'; id: string; n: number }>(
      ref,
      (current) => ({
        doc: { kind: 'incident', id: ref.id, n: (current?.n ?? 0) + 1 },
        deliveries: messages.map((message) => ({ message, channel })),
      }),
      clock,
    );
  }

  const deliveredIds = (from: number) =>
    receiver
      .delivered()
      .slice(from)
      .map((r) => r.headers['idempotency-key']);

  async function deadLetters(): Promise<DeadLetter[]> {
    const text = await readFile(deadLetterFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as DeadLetter);
  }

  it('sends a queued message once and removes it from the outbox', async () => {
    const message = incidentMessageFixture('opened');
    await queue([message]);
    const before = receiver.delivered().length;
    const sender = senderOf();

    const first = await sender.deliverPending();
    const second = await sender.deliverPending();

    expect(first).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    expect(second).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    expect(deliveredIds(before)).toEqual([message.messageId]);
    expect(await store.outboxes()).toEqual([]);
  });

  it('a failing channel is retried after its backoff, then delivered once, with the same key', async () => {
    const message = incidentMessageFixture('opened');
    await queue([message]);
    const before = receiver.requests.length;
    receiver.plan(500);
    const sender = senderOf();

    const failed = await sender.deliverPending();
    clock += 22_499; // backoff after one failure with jitter 0.5: 15 s + 7.5 s
    const early = await sender.deliverPending();
    clock += 1;
    const retried = await sender.deliverPending();

    expect(failed).toEqual({ sent: 0, retrying: 1, deadLettered: 0 });
    expect(early).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    expect(retried).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    const requests = receiver.requests.slice(before);
    expect(requests.map((r) => [r.status, r.headers['idempotency-key']])).toEqual([
      [500, message.messageId],
      [200, message.messageId],
    ]);
    expect(await deadLetters()).toEqual([]);
  });

  it('after the last attempt, one dead letter; the item stays', async () => {
    const message = incidentMessageFixture('opened');
    await queue([message]);
    receiver.answerAll(503);
    const before = receiver.requests.length;
    const sender = senderOf({ maxAttempts: 4 });
    const reports = [];

    for (let tick = 0; tick < 12; tick += 1) {
      reports.push(await sender.deliverPending());
      clock += 5 * 60 * SECOND; // the schedule's 5 minutes
    }

    expect(receiver.requests.length - before).toBe(4);
    expect(reports.reduce((sum, r) => sum + r.retrying, 0)).toBe(3);
    expect(reports.reduce((sum, r) => sum + r.deadLettered, 0)).toBe(1);
    const letters = await deadLetters();
    expect(letters).toEqual([
      {
        schema: 'ecslog.dead-letter/1',
        channel: 'webhook',
        error: {
          name: 'ChannelError',
          message: `webhook: POST ${new URL(receiver.url).origin}/… answered 503: answer 503`,
          status: 503,
        },
        deadLetteredAt: expect.any(String),
        message,
      },
    ]);
    expect(JSON.stringify(letters)).not.toContain(receiver.token);
    expect(await store.outboxes()).toEqual([]);
    expect(await store.read(ref)).toMatchObject({ doc: { id: ref.id } });
  });

  it('a refusal (4xx) is dead-lettered at once, and the next message goes out', async () => {
    const refused = incidentMessageFixture('opened');
    const next = incidentMessageFixture('resolved', {
      incident: { status: 'resolved', resolvedAt: '2026-11-30T03:00:00.000Z' },
    });
    await queue([refused, next]);
    receiver.plan(400);
    const before = receiver.delivered().length;

    const report = await senderOf().deliverPending();

    expect(report).toEqual({ sent: 1, retrying: 0, deadLettered: 1 });
    expect((await deadLetters()).map((l) => [l.message.messageId, l.error.status])).toEqual([
      [refused.messageId, 400],
    ]);
    expect(deliveredIds(before)).toEqual([next.messageId]);
  });

  it('keeps an incident’s messages in order on a channel: a later one waits for the failing one', async () => {
    const opened = incidentMessageFixture('opened');
    const resolved = incidentMessageFixture('resolved', {
      incident: { status: 'resolved', resolvedAt: '2026-11-30T03:00:00.000Z' },
    });
    await queue([opened]);
    await queue([resolved]);
    receiver.plan('reset');
    const before = receiver.requests.length;
    const sender = senderOf();

    const first = await sender.deliverPending();
    clock += 30 * SECOND;
    const second = await sender.deliverPending();

    expect(first).toEqual({ sent: 0, retrying: 1, deadLettered: 0 });
    expect(second).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
    expect(receiver.requests.slice(before).map((r) => r.headers['idempotency-key'])).toEqual([
      opened.messageId,
      opened.messageId,
      resolved.messageId,
    ]);
  });

  it('concurrent senders deliver each message once', async () => {
    const messages = [1, 2, 3, 4, 5].map((n) => incidentMessageFixture('updated', { n }));
    await queue(messages);
    const before = receiver.delivered().length;

    const reports = await Promise.all(
      [senderOf(), senderOf(), senderOf()].map((s) => s.deliverPending()),
    );

    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(5);
    expect(deliveredIds(before)).toEqual(messages.map((m) => m.messageId));
  });

  it('a sender that stopped mid-send holds the message until its lease expires; then it is sent again, with the same key', async () => {
    const message = incidentMessageFixture('opened');
    await queue([message]);
    const key = outboxKeyOf(message.messageId, 'webhook', ref.id);
    expect(key).toBe('#1#opened#0@webhook');
    // A sender claimed it, sent it, and crashed before removing it.
    await store.claim(ref, key, 'crashed-sender', clock, DEFAULT_DELIVERY_POLICY.leaseMs);
    const before = receiver.delivered().length;
    const sender = senderOf();

    const held = await sender.deliverPending();
    clock += DEFAULT_DELIVERY_POLICY.leaseMs + 1;
    const after = await sender.deliverPending();

    expect(held).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    expect(after).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    expect(deliveredIds(before)).toEqual([message.messageId]);
  });

  it('a message queued for a channel that is not configured is dead-lettered', async () => {
    const message = incidentMessageFixture('opened');
    await queue([message], 'sns');

    const report = await senderOf().deliverPending();

    expect(report).toEqual({ sent: 0, retrying: 0, deadLettered: 1 });
    expect((await deadLetters()).map((l) => [l.channel, l.error.message])).toEqual([
      ['sns', 'no channel named "sns" is configured'],
    ]);
  });
});
