import { createHash } from 'node:crypto';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { IncidentMessage } from '@ecslog/incidents';
import { renderSnsMessage } from '@ecslog/incidents';
import type { Channel } from '../notifier-api';
import { ChannelConfigError, ChannelError, isRetryableStatus } from './channel-error';
import { DEFAULT_TIMEOUT_MS } from './http-post';

export interface SnsChannelOptions {
  client: SNSClient;
  /** A standard topic, or a FIFO one (`….fifo`): then each incident is one message group. */
  topicArn: string;
  /** Default `sns`. */
  name?: string;
  /** Default {@link DEFAULT_TIMEOUT_MS}, for the client's attempts together. */
  timeoutMs?: number;
}

/**
 * An Amazon SNS topic (e-mail, SMS, and the chat integrations that read SNS): one Publish per
 * message, the subject and plain-text body from `renderSnsMessage`, and message attributes
 * `messageId` (the same on every retry), `kind`, `incidentKind`, `group` for subscription filter
 * policies. On a FIFO topic, `MessageDeduplicationId` (from the messageId) makes SNS drop a
 * retry within its 5-minute window and `MessageGroupId` (from the incident) keeps an incident's
 * messages in order.
 *
 * @example
 * const sns = createSnsChannel({ client: new SNSClient({}), topicArn: process.env.TOPIC_ARN! });
 */
export function createSnsChannel(options: SnsChannelOptions): Channel {
  const { client, topicArn } = options;
  const name = options.name ?? 'sns';
  if (!/^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]{1,256}(?:\.fifo)?$/.test(topicArn))
    throw new ChannelConfigError(`${name}: ${JSON.stringify(topicArn)} is not an SNS topic ARN`);
  const fifo = topicArn.endsWith('.fifo');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name,
    async send(message: IncidentMessage): Promise<void> {
      const { subject, body } = renderSnsMessage(message);
      const command = new PublishCommand({
        TopicArn: topicArn,
        Subject: snsSubjectOf(subject),
        Message: body,
        MessageAttributes: snsAttributesOf(message),
        ...(fifo && {
          MessageGroupId: sha256(message.incident.id),
          MessageDeduplicationId: sha256(message.messageId),
        }),
      });
      try {
        await client.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw snsError(name, topicArn, timeoutMs, error);
      }
    },
  };
}

/** The message attributes of a message on SNS (names SNS accepts: letters, digits, `._-`). */
export function snsAttributesOf(message: IncidentMessage): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({
    DataType: 'String',
    StringValue: value,
  });
  return {
    messageId: text(message.messageId),
    kind: text(message.kind),
    incidentKind: text(message.incident.key.kind),
    group: text(message.incident.key.group),
  };
}

/**
 * A subject SNS accepts: 1–100 printable ASCII characters (the renderer's contract, kept here
 * too, so that a message is never refused for its subject): other characters become `?`,
 * whitespace runs one space, and a longer subject is cut with `...`.
 */
export function snsSubjectOf(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim();
  const text = ascii === '' ? 'ecslog incident' : ascii;
  return text.length <= 100 ? text : `${text.slice(0, 97)}...`;
}

/** SNS's ids are at most 128 characters; an incident id or message id can be longer. */
function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function snsError(name: string, topicArn: string, timeoutMs: number, error: unknown): ChannelError {
  const e = error as {
    name?: string;
    message?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new ChannelError(`${name}: Publish to ${topicArn} timed out after ${timeoutMs} ms`, {
      channel: name,
      retryable: true,
      cause: error,
    });
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    status === undefined ||
    isRetryableStatus(status) ||
    e.$fault === 'server' ||
    e.$retryable !== undefined ||
    /Throttl/.test(e.name ?? '');
  return new ChannelError(
    `${name}: Publish to ${topicArn} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
    { channel: name, ...(status !== undefined && { status }), retryable, cause: error },
  );
}
