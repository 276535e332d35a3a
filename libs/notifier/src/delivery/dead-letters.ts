import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { IncidentMessage } from '@ecslog/incidents';

/**
 * Where a message goes when a channel refused it for good, or every attempt failed: it is kept,
 * never dropped, and alarmed on (an SQS queue in AWS, a file locally).
 */
export interface DeadLetters {
  put(message: IncidentMessage, channel: string, error: Error): Promise<void>;
}

/** One dead letter, as both sinks store it (JSON). */
export interface DeadLetter {
  schema: 'ecslog.dead-letter/1';
  channel: string;
  /** The last error, one line (never a webhook URL's path). */
  error: { name: string; message: string; status?: number };
  deadLetteredAt: string;
  message: IncidentMessage;
}

/** The file local mode keeps dead letters in, under the project's `.ecslog` folder. */
export const LOCAL_DEAD_LETTERS_FILE = '.ecslog/notifier-dead-letters.ndjson';

export function deadLetterOf(
  message: IncidentMessage,
  channel: string,
  error: Error,
  at: Date,
): DeadLetter {
  const status = (error as { status?: unknown }).status;
  return {
    schema: 'ecslog.dead-letter/1',
    channel,
    error: {
      name: error.name,
      message: error.message,
      ...(typeof status === 'number' && { status }),
    },
    deadLetteredAt: at.toISOString(),
    message,
  };
}

/**
 * Dead letters as messages of an SQS queue (encrypted, alarmed on its depth by infra).
 *
 * @example
 * const deadLetters = createSqsDeadLetters({ client: new SQSClient({}), queueUrl });
 */
export function createSqsDeadLetters(options: {
  client: SQSClient;
  queueUrl: string;
  now?: () => number;
}): DeadLetters {
  const now = options.now ?? Date.now;
  return {
    async put(message, channel, error) {
      await options.client.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(deadLetterOf(message, channel, error, new Date(now()))),
        }),
      );
    },
  };
}

/**
 * Dead letters appended to a file, one JSON line each ({@link LOCAL_DEAD_LETTERS_FILE} in local
 * mode); the folder is made when missing.
 *
 * @example
 * const deadLetters = createFileDeadLetters('.ecslog/notifier-dead-letters.ndjson');
 */
export function createFileDeadLetters(path: string, now: () => number = Date.now): DeadLetters {
  return {
    async put(message, channel, error) {
      await mkdir(dirname(path), { recursive: true });
      const line = JSON.stringify(deadLetterOf(message, channel, error, new Date(now())));
      await appendFile(path, `${line}\n`, 'utf8');
    },
  };
}
