import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { readParkedMessage, reassembleQuarantineEntry } from '@ecslog/ingest-pipeline';
import type { ParkedItem, ParkedSource } from './parked-source';

export interface SqsSourceOptions {
  client: SQSClient;
  queueUrl: string;
  /**
   * Seconds a received message stays hidden (default 900). Kept messages stay hidden until the
   * run ends, so that one run never reads a message twice; it must outlast the run.
   */
  visibilityTimeoutSeconds?: number;
}

/** The most SQS returns per ReceiveMessage. */
const RECEIVE_BATCH = 10;
/** Long polling asks every SQS server, so an empty answer means an empty queue. */
const WAIT_SECONDS = 2;

/**
 * A queue's messages: each a rule target DLQ event, a Lambda failure record, a pointer-only
 * Kinesis failure or a quarantine entry (recognised per message). The parts of a split
 * quarantine entry are put back together; a part whose set is not complete by the end is kept.
 */
export function createSqsSource(options: SqsSourceOptions): ParkedSource {
  const { client, queueUrl } = options;
  const visibility = options.visibilityTimeoutSeconds ?? 900;
  /** Latest receipt handle of every message received and not deleted: put back by `finish`. */
  const held = new Map<string, string>();
  /** Parts of split quarantine entries, by entry id, until their set is complete. */
  const parts = new Map<string, { count: number; messages: Map<number, Message> }>();
  const name = queueUrl.split('/').at(-1) ?? queueUrl;

  const deleteMessages = async (messages: readonly Message[]) => {
    for (const message of messages) {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      held.delete(message.MessageId ?? '');
    }
  };

  function toItem(message: Message): ParkedItem | undefined {
    const label = `${name} message ${message.MessageId ?? '?'}`;
    const reading = readParkedMessage(message.Body ?? '', label);
    if (reading.kind !== 'quarantine-part')
      return { label, reading, release: () => deleteMessages([message]) };
    const { id, index, count } = reading.part;
    const set = parts.get(id) ?? { count, messages: new Map<number, Message>() };
    parts.set(id, set);
    set.messages.set(index, message);
    if (set.messages.size < count) return undefined;
    parts.delete(id);
    const messages = [...set.messages.values()];
    const entryLabel = `${name} quarantine entry ${id.slice(0, 12)} (${count} parts)`;
    try {
      const entry = reassembleQuarantineEntry(messages.map((m) => m.Body ?? ''));
      return {
        label: entryLabel,
        reading: readParkedMessage(JSON.stringify(entry), entryLabel),
        release: () => deleteMessages(messages),
      };
    } catch (error) {
      return {
        label: entryLabel,
        reading: {
          kind: 'unreadable',
          reason: `cannot be reassembled: ${(error as Error).message}`,
        },
        release: () => deleteMessages(messages),
      };
    }
  }

  return {
    description: `queue ${queueUrl}`,
    async *pages() {
      for (;;) {
        const { Messages: messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: RECEIVE_BATCH,
            VisibilityTimeout: visibility,
            WaitTimeSeconds: WAIT_SECONDS,
          }),
        );
        // A message seen before has outlived its visibility timeout: not read twice.
        const fresh = messages.filter((m) => !held.has(m.MessageId ?? ''));
        for (const m of messages) held.set(m.MessageId ?? '', m.ReceiptHandle ?? '');
        if (fresh.length === 0) break;
        const items = fresh.flatMap((m) => toItem(m) ?? []);
        if (items.length > 0) yield items;
      }
      const incomplete = [...parts.entries()].map(([id, set]): ParkedItem => {
        const have = [...set.messages.keys()].sort((a, b) => a - b).join(', ');
        return {
          label: `${name} quarantine entry ${id.slice(0, 12)}`,
          reading: {
            kind: 'unreadable',
            reason: `has only parts ${have} of ${set.count} in the queue (kept until the rest arrive)`,
          },
          release: async () => undefined,
        };
      });
      parts.clear();
      if (incomplete.length > 0) yield incomplete;
    },
    async finish() {
      for (const handle of held.values()) {
        try {
          await client.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            }),
          );
        } catch (error) {
          // Visible again already (its timeout passed, or a newer receive holds it): nothing to do.
          if ((error as Error).name !== 'MessageNotInflight') throw error;
        }
      }
      held.clear();
    },
  };
}
