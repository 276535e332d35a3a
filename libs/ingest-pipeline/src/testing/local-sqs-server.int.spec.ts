import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { LocalSqsServer } from './local-sqs-server';
import { localSqsClient, startLocalSqsServer } from './local-sqs-server';

/** The receive / delete / visibility contract, through the real SDK client. */
describe('the loopback SQS server: ReceiveMessage, DeleteMessage, ChangeMessageVisibility', () => {
  let sqs: LocalSqsServer;
  let client: SQSClient;
  let clock = 1_800_000_000_000;

  beforeAll(async () => {
    sqs = await startLocalSqsServer({ now: () => clock });
    client = localSqsClient(sqs.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  const queueWith = async (name: string, bodies: string[]) => {
    const url = sqs.createQueue(name);
    for (const body of bodies)
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    return url;
  };

  it('receives visible messages oldest first, hides them for the visibility timeout, then shows them again', async () => {
    const url = await queueWith('receive', ['a', 'b', 'c']);
    const first = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 2,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(first.Messages?.map((m) => m.Body)).toEqual(['a', 'b']);
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(sqs.inFlight(url)).toBe(2);
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(second.Messages?.map((m) => m.Body)).toEqual(['c']);
    clock += 61_000; // past a and b's 60 s, and c's default 30 s
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(['a', 'b', 'c']);
    expect(again.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
  });

  it('answers an empty queue without Messages', async () => {
    const url = await queueWith('empty', []);
    const output = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(output.Messages ?? []).toEqual([]);
  });

  it('deletes with the latest receipt handle only; an older handle succeeds without deleting', async () => {
    const url = await queueWith('delete', ['x']);
    const old = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }),
    );
    const latest = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: old.Messages?.[0]?.ReceiptHandle }),
    );
    expect(sqs.messages(url)).toEqual(['x']);
    await client.send(
      new DeleteMessageCommand({
        QueueUrl: url,
        ReceiptHandle: latest.Messages?.[0]?.ReceiptHandle,
      }),
    );
    expect(sqs.messages(url)).toEqual([]);
  });

  it('refuses a receipt handle it never issued', async () => {
    const url = await queueWith('invalid-handle', []);
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'made-up' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('releases a message at once with VisibilityTimeout 0; a message not in flight cannot be changed', async () => {
    const url = await queueWith('visibility', ['v']);
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = received.Messages?.[0]?.ReceiptHandle;
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      }),
    );
    expect(sqs.inFlight(url)).toBe(0);
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });

  it('enforces the parameter ranges', async () => {
    const url = await queueWith('ranges', ['r']);
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 43_201 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: `${url}-missing` })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
