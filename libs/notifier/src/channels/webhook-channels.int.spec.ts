/**
 * The webhook and Slack channels against a real HTTP receiver on loopback: what they send, and
 * how each way of failing (status, redirect, reset, timeout) becomes a ChannelError — never
 * showing the URL's secret path.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { renderSlackMessage, renderWebhookBody } from '@ecslog/incidents';
import type { WebhookReceiver } from '../testing';
import { incidentMessageFixture, startWebhookReceiver } from '../testing';
import { ChannelConfigError, ChannelError } from './channel-error';
import { createSlackWebhookChannel, createWebhookChannel } from './webhook-channels';

const SECRET = 'whsec-0123456789abcdef';

async function failureOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('webhook channels', () => {
  let receiver: WebhookReceiver;
  let other: WebhookReceiver;

  beforeAll(async () => {
    [receiver, other] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([receiver?.stop(), other?.stop()]);
  });

  it('POSTs the webhook JSON with its idempotency key, user agent and a verifiable signature', async () => {
    const message = incidentMessageFixture('opened');
    const channel = createWebhookChannel({ url: receiver.url, signingSecret: SECRET });
    const before = receiver.requests.length;

    await channel.send(message);

    const [request] = receiver.requests.slice(before);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/hooks/${receiver.token}`,
      status: 200,
    });
    expect(JSON.parse(request?.body ?? '')).toEqual(renderWebhookBody(message));
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': message.messageId,
      'user-agent': 'ecslog',
    });
    // As a receiver checks it: the HMAC of the raw body with the shared secret.
    const expected = createHmac('sha256', SECRET)
      .update(request?.body ?? '')
      .digest('hex');
    expect(request?.headers['x-ecslog-signature']).toBe(`sha256=${expected}`);
    expect(channel.name).toBe('webhook');
  });

  it('sends no signature without a secret, and the same idempotency key on a retry', async () => {
    const message = incidentMessageFixture('resolved', {
      incident: { status: 'resolved', resolvedAt: '2026-11-30T03:05:00.000Z' },
    });
    const channel = createWebhookChannel({ url: receiver.url, name: 'webhook-ops' });
    receiver.plan(503);
    const before = receiver.requests.length;

    await failureOf(channel.send(message));
    await channel.send(message);

    const sent = receiver.requests.slice(before);
    expect(sent.map((r) => r.status)).toEqual([503, 200]);
    expect(sent.map((r) => r.headers['idempotency-key'])).toEqual([
      message.messageId,
      message.messageId,
    ]);
    expect(sent[1]?.headers['x-ecslog-signature']).toBeUndefined();
    expect(channel.name).toBe('webhook-ops');
  });

  it.each([
    [500, true],
    [502, true],
    [429, true],
    [400, false],
    [403, false],
    [404, false],
    [410, false],
  ])('answer %i is a ChannelError, retryable: %s', async (status, retryable) => {
    receiver.plan({ status, body: `refused at /hooks/${receiver.token} (${status})` });
    const channel = createWebhookChannel({ url: receiver.url });

    const error = await failureOf(channel.send(incidentMessageFixture()));

    expect(error).toMatchObject({ name: 'ChannelError', status, retryable, channel: 'webhook' });
    expect(error.message).toContain(`answered ${status}`);
    expect(inspect(error, { depth: 10 })).not.toContain(receiver.token);
  });

  it('does not follow a redirect, to another host or at all', async () => {
    const elsewhere = other.requests.length;
    receiver.plan({ status: 307, headers: { location: other.url } });
    const channel = createWebhookChannel({ url: receiver.url });

    const error = await failureOf(channel.send(incidentMessageFixture()));

    expect(error).toMatchObject({ status: 307, retryable: false });
    expect(error.message).toMatch(/redirect: not followed/);
    expect(other.requests.length).toBe(elsewhere);
    expect(inspect(error, { depth: 10 })).not.toContain(other.token);
  });

  it('a connection reset is retryable and has no status', async () => {
    receiver.plan('reset');
    const channel = createWebhookChannel({ url: receiver.url });

    const error = await failureOf(channel.send(incidentMessageFixture()));

    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.cause).toBeDefined();
    expect(inspect(error, { depth: 10 })).not.toContain(receiver.token);
  });

  it('gives up on a slow answer after its timeout (retryable)', async () => {
    receiver.plan({ delayMs: 5_000 });
    const channel = createWebhookChannel({ url: receiver.url, timeoutMs: 300 });
    const started = Date.now();

    const error = await failureOf(channel.send(incidentMessageFixture()));

    const took = Date.now() - started;
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toContain('timed out after 300 ms');
    expect(inspect(error, { depth: 10 })).not.toContain(receiver.token);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3_000);
  });

  it('a refused connection (nothing listening) is retryable', async () => {
    const gone = await startWebhookReceiver();
    await gone.stop();
    const channel = createWebhookChannel({ url: gone.url });

    const error = await failureOf(channel.send(incidentMessageFixture()));

    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/failed: ECONNREFUSED/);
    expect(inspect(error, { depth: 10 })).not.toContain(gone.token);
  });

  it('Slack: POSTs the Block Kit rendering to the incoming webhook and redacts its path', async () => {
    const message = incidentMessageFixture('updated', { n: 1, incident: { failedRuns: 4 } });
    const slack = createSlackWebhookChannel({ url: receiver.url });
    const before = receiver.requests.length;

    await slack.send(message);
    receiver.plan({ status: 404, body: 'no_service' });
    const error = await failureOf(slack.send(message));

    const [request] = receiver.requests.slice(before);
    expect(JSON.parse(request?.body ?? '')).toEqual(renderSlackMessage(message));
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'ecslog',
    });
    expect(error).toMatchObject({ channel: 'slack', status: 404, retryable: false });
    expect(error.message).toBe(
      `slack: POST ${new URL(receiver.url).origin}/… answered 404: no_service`,
    );
  });

  describe('URLs', () => {
    it.each([
      'http://127.0.0.1:8080/hook',
      'http://localhost:3000/hook',
      'http://[::1]:9000/hook',
      'https://hooks.example.com/services/T000/B000/XXXX',
    ])('accepts %s', (url) => {
      expect(() => createWebhookChannel({ url })).not.toThrow();
      expect(() => createSlackWebhookChannel({ url })).not.toThrow();
    });

    it('refuses plain http to a host that is not loopback, naming the host only', () => {
      const attempt = () =>
        createSlackWebhookChannel({ url: 'http://hooks.example.com/services/T000/B000/SECRET' });
      expect(attempt).toThrow(ChannelConfigError);
      expect(attempt).toThrow(
        'slack: http://hooks.example.com/… is plain http to a host that is not loopback; use https (http is allowed to 127.0.0.1, ::1 and localhost only, for local testing)',
      );
    });

    it('refuses other schemes and text that is no URL, without quoting it', () => {
      expect(() => createWebhookChannel({ url: 'ftp://files.example.com/drop' })).toThrow(
        'webhook: ftp: URLs are not supported; use https',
      );
      let thrown: unknown;
      try {
        createWebhookChannel({ url: 'hooks.example.com/SECRET' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ChannelConfigError);
      expect(String((thrown as Error).message)).not.toContain('SECRET');
    });
  });
});
