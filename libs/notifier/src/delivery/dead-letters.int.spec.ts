/**
 * Both dead-letter sinks keep the whole message and the error: an SQS queue (the real SDK client
 * against the loopback SQS server of the ingest tests) and a local NDJSON file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalSqsServer } from '@ecslog/ingest-pipeline/testing';
import { localSqsClient, startLocalSqsServer } from '@ecslog/ingest-pipeline/testing';
import { ChannelError } from '../channels/channel-error';
import { incidentMessageFixture } from '../testing';
import { createFileDeadLetters, createSqsDeadLetters } from './dead-letters';

const AT = Date.parse('2026-11-30T04:00:00.000Z');
const refused = new ChannelError('slack: POST https://hooks.slack.com/… answered 404: no_service', {
  channel: 'slack',
  status: 404,
  retryable: false,
});

describe('dead letters', () => {
  let sqs: LocalSqsServer;
  let folder: string;

  beforeAll(async () => {
    sqs = await startLocalSqsServer();
    folder = await mkdtemp(join(tmpdir(), 'notifier-dead-letters-'));
  });
  afterAll(async () => {
    await sqs?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('SQS: one message per dead letter, with the message, channel and error', async () => {
    const queueUrl = sqs.createQueue('ecslog-notifier-dead-letters');
    const client = localSqsClient(sqs.endpoint);
    const message = incidentMessageFixture('opened');

    await createSqsDeadLetters({ client, queueUrl, now: () => AT }).put(message, 'slack', refused);

    client.destroy();
    expect(sqs.messages(queueUrl).map((body) => JSON.parse(body) as unknown)).toEqual([
      {
        schema: 'ecslog.dead-letter/1',
        channel: 'slack',
        error: {
          name: 'ChannelError',
          message: 'slack: POST https://hooks.slack.com/… answered 404: no_service',
          status: 404,
        },
        deadLetteredAt: '2026-11-30T04:00:00.000Z',
        message,
      },
    ]);
  });

  it('SQS: a failure to keep it throws (the sender leaves the message queued)', async () => {
    const client = localSqsClient(sqs.endpoint);
    const sink = createSqsDeadLetters({ client, queueUrl: `${sqs.endpoint}/111122223333/missing` });
    await expect(sink.put(incidentMessageFixture(), 'slack', refused)).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
    client.destroy();
  });

  it('file: appends one JSON line per dead letter, making the folder', async () => {
    const path = join(folder, '.ecslog', 'notifier-dead-letters.ndjson');
    const sink = createFileDeadLetters(path, () => AT);
    const opened = incidentMessageFixture('opened');
    const resolved = incidentMessageFixture('resolved');

    await sink.put(opened, 'slack', refused);
    await sink.put(resolved, 'webhook', new Error('socket hang up'));

    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ channel: 'slack', message: opened }),
      {
        schema: 'ecslog.dead-letter/1',
        channel: 'webhook',
        error: { name: 'Error', message: 'socket hang up' },
        deadLetteredAt: '2026-11-30T04:00:00.000Z',
        message: resolved,
      },
    ]);
  });
});
