import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';

/**
 * How the receiver answers one request: a status (200 by default), after a delay, or a
 * connection reset (the socket is destroyed before any answer).
 */
export type ReceiverAnswer =
  | number
  | 'reset'
  | { status?: number; delayMs?: number; body?: string; headers?: Record<string, string> };

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** The status answered; undefined for a reset, or when the client gave up first. */
  status: number | undefined;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/<token>`: a loopback URL with a secret-looking path. */
  url: string;
  /** The secret part of {@link url} (to check that errors never show it). */
  token: string;
  /** Every request received, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** The requests answered 2xx: the deliveries. */
  delivered(): ReceivedRequest[];
  /**
   * Answers the next requests as given, one answer each, in order; later requests get 200.
   * `plan(500, 429, 'reset', { delayMs: 10_000 })`.
   */
  plan(...answers: ReceiverAnswer[]): void;
  /** Answers every request as given until changed (after the planned ones). */
  answerAll(answer: ReceiverAnswer): void;
  stop(): Promise<void>;
}

/**
 * A real HTTP server on loopback that records what webhook and Slack channels POST, with
 * injected failures: statuses (500, 429, 404, redirects), slow answers (timeouts) and connection
 * resets. Answers 200 `ok` (as Slack does) unless told otherwise.
 *
 * @example
 * const receiver = await startWebhookReceiver();
 * receiver.plan(500, 'reset');
 * // … deliveries …
 * expect(receiver.delivered()).toHaveLength(1);
 * await receiver.stop();
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const planned: ReceiverAnswer[] = [];
  let standing: ReceiverAnswer = 200;
  const timers = new Set<NodeJS.Timeout>();
  const token = `T0ECSLOG/B0RECEIVER/${Math.random().toString(36).slice(2, 14)}`;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const received: ReceivedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      status: undefined,
    };
    requests.push(received);
    const answer = planned.shift() ?? standing;
    if (answer === 'reset') {
      request.socket.destroy();
      return;
    }
    const {
      status = 200,
      delayMs = 0,
      body,
      headers: extra = {},
    } = typeof answer === 'number' ? { status: answer } : answer;
    const reply = () => {
      if (response.destroyed || request.socket.destroyed) return;
      received.status = status;
      response.writeHead(status, { 'content-type': 'text/plain', ...extra });
      response.end(body ?? (status < 300 ? 'ok' : `answer ${status}`));
    };
    if (delayMs === 0) return reply();
    const timer = setTimeout(() => {
      timers.delete(timer);
      reply();
    }, delayMs);
    timers.add(timer);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/hooks/${token}`,
    token,
    requests,
    delivered: () => requests.filter((r) => r.status !== undefined && r.status < 300),
    plan: (...answers) => {
      planned.push(...answers);
    },
    answerAll: (answer) => {
      standing = answer;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
