/**
 * Local mode's notifier on dynalite with a real loopback receiver standing in for a Slack incoming
 * webhook (told by its path): messages delivered and printed, the quiet period decided by the
 * pinned clock of `tickAt`, and what the channel refuses kept in the dead letters' file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import type { WebhookReceiver } from '@ecslog/notifier/testing';
import { startWebhookReceiver } from '@ecslog/notifier/testing';
import { createLocalNotifier, DEAD_LETTERS_FILE, localChannelsOf } from './local-notifier';

jest.setTimeout(60_000);

describe('local notifier (dynalite, loopback Slack-shaped receiver)', () => {
  let server: LocalDynamoDb;
  let receiver: WebhookReceiver;
  let dir: string;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startDynalite(), startWebhookReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), receiver?.stop()]);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecslog-notifier-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends Slack bodies to a Slack-shaped URL, prints each message, resolves by the pinned clock', async () => {
    const tableName = await createAuditTable(server.client);
    const slackUrl = `${new URL(receiver.url).origin}/services/T0ECSLOG/B0LOCAL/q8Xz1LmN4oP7rS2t`;
    const printed: string[] = [];
    const [oom] = fixtureRecords('eventbridge/task-stopped-oom.json');
    const failedAt = Date.parse(oom!.stoppedAt ?? oom!.eventTime);
    let now = failedAt + 5 * 60_000;
    const notifier = createLocalNotifier({
      client: server.client,
      tableName,
      homeRoot: dir,
      channels: localChannelsOf(slackUrl, (line) => printed.push(line)),
      now: () => now,
    });
    const before = receiver.delivered().length;

    await notifier.observe([{ record: oom!, origin: 'live' }]);
    await notifier.deliverPending();
    await notifier.tick(); // 5 minutes after: within the quiet period
    const withinQuietPeriod = printed.length;
    now += 60_000;
    const resolved = await notifier.tickAt(failedAt + 61 * 60_000);

    const bodies = receiver
      .delivered()
      .slice(before)
      .map((request) => ({ path: request.path, body: JSON.parse(request.body) as object }));
    expect(bodies.map((b) => b.path)).toEqual([
      '/services/T0ECSLOG/B0LOCAL/q8Xz1LmN4oP7rS2t',
      '/services/T0ECSLOG/B0LOCAL/q8Xz1LmN4oP7rS2t',
    ]);
    for (const { body } of bodies) {
      expect(body).toHaveProperty('blocks');
      expect(body).not.toHaveProperty('schema');
    }
    expect(resolved.sent).toBeGreaterThanOrEqual(1);
    expect(withinQuietPeriod).toBe(1);
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(/opened/i);
    expect(printed[1]).toMatch(/resolved/i);
  });

  it('keeps a message the webhook refuses (404) in the dead letters’ file, printed all the same', async () => {
    const tableName = await createAuditTable(server.client);
    const printed: string[] = [];
    const [failed] = fixtureRecords('eventbridge/task-stopped-image-pull.json');
    const notifier = createLocalNotifier({
      client: server.client,
      tableName,
      homeRoot: dir,
      channels: localChannelsOf(receiver.url, (line) => printed.push(line)),
      now: () => Date.parse(failed!.eventTime) + 60_000,
    });
    receiver.answerAll(404);

    try {
      await notifier.observe([{ record: failed!, origin: 'live' }]);
      await notifier.deliverPending();
    } finally {
      receiver.answerAll(200);
    }

    const lines = readFileSync(join(dir, DEAD_LETTERS_FILE), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"webhook"');
    expect(lines[0]).not.toContain(new URL(receiver.url).pathname);
    expect(printed).toHaveLength(1);
  });
});
