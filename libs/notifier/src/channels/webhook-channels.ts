import { createHmac } from 'node:crypto';
import type { IncidentMessage } from '@ecslog/incidents';
import { renderSlackMessage, renderWebhookBody } from '@ecslog/incidents';
import type { Channel } from '../notifier-api';
import { checkChannelUrl, DEFAULT_TIMEOUT_MS, postToChannel } from './http-post';

export interface WebhookChannelOptions {
  /** `https://…` (plain `http://` to loopback only, for local testing). A secret: never logged. */
  url: string;
  /** When set, every delivery carries `X-Ecslog-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  signingSecret?: string;
  /** Default `webhook`; distinct names when there are several webhooks. */
  name?: string;
  /** Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** The HMAC-SHA256 signature header value of a webhook body: `sha256=<hex>`. */
export function signatureOf(body: string, signingSecret: string): string {
  return `sha256=${createHmac('sha256', signingSecret).update(body, 'utf8').digest('hex')}`;
}

/**
 * A generic HTTPS webhook: POSTs the message as JSON (`schema: "ecslog.incident-message/1"`,
 * README) with `Idempotency-Key: <messageId>` (the same on every retry of a message), the
 * signature header when a signing secret is set, and `User-Agent: ecslog`. Any 2xx answer is a
 * delivery; 429, 5xx, network errors and timeouts are retried; other answers are not.
 *
 * @example
 * const channel = createWebhookChannel({ url: secretUrl, signingSecret });
 * await channel.send(message); // throws ChannelError when it did not get through
 */
export function createWebhookChannel(options: WebhookChannelOptions): Channel {
  const name = options.name ?? 'webhook';
  const target = checkChannelUrl(options.url, name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { signingSecret } = options;
  return {
    name,
    async send(message: IncidentMessage): Promise<void> {
      const body = JSON.stringify(renderWebhookBody(message));
      await postToChannel({
        channel: name,
        target,
        body,
        timeoutMs,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.messageId,
          ...(signingSecret !== undefined && {
            'x-ecslog-signature': signatureOf(body, signingSecret),
          }),
        },
      });
    },
  };
}

export interface SlackWebhookChannelOptions {
  /** The incoming webhook's URL (`https://hooks.slack.com/services/…`): its path is the secret. */
  url: string;
  /** Default `slack`. */
  name?: string;
  /** Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * A Slack incoming webhook: POSTs the message's Block Kit rendering. Incoming webhooks have no
 * threads, so updates are separate messages, at most one per update interval.
 *
 * @example
 * const slack = createSlackWebhookChannel({ url: await secretValue('ecslog/slack-webhook') });
 */
export function createSlackWebhookChannel(options: SlackWebhookChannelOptions): Channel {
  const name = options.name ?? 'slack';
  const target = checkChannelUrl(options.url, name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name,
    async send(message: IncidentMessage): Promise<void> {
      await postToChannel({
        channel: name,
        target,
        body: JSON.stringify(renderSlackMessage(message)),
        timeoutMs,
        headers: { 'content-type': 'application/json' },
      });
    },
  };
}
