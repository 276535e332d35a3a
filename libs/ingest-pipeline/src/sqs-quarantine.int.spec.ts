import { createHash } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { QuarantineEntry } from './quarantine';
import { parseQuarantineEntry, QuarantineError } from './quarantine';
import type { QuarantinePart } from './sqs-quarantine';
import {
  SQS_MAX_MESSAGE_BYTES,
  createSqsQuarantine,
  reassembleQuarantineEntry,
} from './sqs-quarantine';
import type { LocalSqsServer } from './testing';
import { loadIngestFixture, localSqsClient, startLocalSqsServer } from './testing';

describe('SQS quarantine, through the real SDK client, against a loopback SendMessage server', () => {
  let sqs: LocalSqsServer;
  let client: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startLocalSqsServer();
    client = localSqsClient(sqs.endpoint);
    queueUrl = sqs.createQueue('ecslog-quarantine');
  });
  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  const invalidEvent = loadIngestFixture('eventbridge/invalid-task-state-change.json');
  const entry = (payload: unknown, encoding: QuarantineEntry['payloadEncoding']) => ({
    source: 'kinesis' as const,
    receivedAt: '2026-11-21T00:00:00.000Z',
    reason: 'detail.taskArn: is required',
    problems: [{ path: 'detail.taskArn', message: 'is required' }],
    payload,
    payloadEncoding: encoding,
    origin: {
      partitionKey: 'k',
      sequenceNumber: '49656918204419352768313839463152347210396224716573048834',
    },
  });

  describe('the test server enforces the contract', () => {
    it('accepts a SendMessage and answers with the MD5 the SDK checks', async () => {
      const output = await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'héllo ✓' }),
      );
      expect(output.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(output.MD5OfMessageBody).toBe(createHash('md5').update('héllo ✓').digest('hex'));
      expect(sqs.messages(queueUrl)).toContain('héllo ✓');
    });

    it('is checked by the SDK: a wrong MD5 fails the send', async () => {
      sqs.corruptNextMd5();
      await expect(
        client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'checked' })),
      ).rejects.toThrow(/checksum/i);
    });

    it.each([
      ['a body over 1 MiB', 'x'.repeat(SQS_MAX_MESSAGE_BYTES + 1), /shorter than 1048576 bytes/],
      ['an empty body', '', /Empty message/],
      ['a character outside XML', 'bad \uFFFF', /Invalid binary character/],
    ])('rejects %s', async (_name, body, message) => {
      await expect(
        client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
      ).rejects.toThrow(message);
    });

    it('accepts exactly 1 MiB of UTF-8', async () => {
      const body = 'é'.repeat(SQS_MAX_MESSAGE_BYTES / 2);
      await expect(
        client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
      ).resolves.toMatchObject({ MessageId: expect.any(String) });
    });

    it('rejects a queue that does not exist', async () => {
      await expect(
        client.send(
          new SendMessageCommand({
            QueueUrl: `${sqs.endpoint}/111122223333/nope`,
            MessageBody: 'x',
          }),
        ),
      ).rejects.toMatchObject({
        name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/),
      });
    });
  });

  it('holds an invalid event as one message: the original payload and the problems', async () => {
    const quarantine = createSqsQuarantine({ client, queueUrl: sqs.createQueue('one') });
    const held = entry(invalidEvent, 'json');
    await quarantine.hold(held);
    const bodies = sqs.messages(`${sqs.endpoint}/111122223333/one`);
    expect(bodies).toHaveLength(1);
    expect(parseQuarantineEntry(bodies[0] as string)).toEqual(held);
  });

  it('holds Kinesis data that is not JSON as its raw string', async () => {
    const url = sqs.createQueue('raw');
    await createSqsQuarantine({ client, queueUrl: url }).hold(
      entry('ECS task 7f3c9a1e stopped (exit 137) \uFFFF', 'utf8'),
    );
    expect(reassembleQuarantineEntry(sqs.messages(url))).toMatchObject({
      payload: 'ECS task 7f3c9a1e stopped (exit 137) \uFFFF',
      payloadEncoding: 'utf8',
    });
  });

  it('splits an entry over 1 MiB into parts the server accepts, and loses nothing', async () => {
    const url = sqs.createQueue('large');
    // A 2.5 MB Kinesis record (Kinesis takes up to 10 MiB): the ECS event, padded, as raw text.
    const event = loadFixture('eventbridge/task-stopped-oom.json');
    const raw = `${JSON.stringify(event)}${' '.repeat(2_500_000)}trailing garbage`;
    const held = entry(raw, 'utf8');
    await createSqsQuarantine({ client, queueUrl: url }).hold(held);
    const bodies = sqs.messages(url);
    expect(bodies).toHaveLength(4);
    for (const body of bodies)
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    const first = JSON.parse(bodies[0] as string) as QuarantinePart;
    expect(first).toMatchObject({
      ecslogQuarantinePart: { index: 1, count: 4 },
      reason: held.reason,
      origin: held.origin,
    });
    expect(reassembleQuarantineEntry(bodies)).toEqual(held);
  });

  it('rejects with a QuarantineError that chains the SQS error when the queue is gone', async () => {
    const quarantine = createSqsQuarantine({
      client,
      queueUrl: `${sqs.endpoint}/111122223333/deleted`,
    });
    const failure = quarantine.hold(entry(invalidEvent, 'json'));
    await expect(failure).rejects.toThrow(QuarantineError);
    await expect(failure).rejects.toMatchObject({
      message: 'could not send the quarantine entry to SQS',
      cause: { name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/) },
    });
  });
});
