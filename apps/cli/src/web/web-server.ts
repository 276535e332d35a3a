/**
 * The web view's server: a read-only HTTP server on 127.0.0.1 that serves the page and answers
 * its two questions — the timeline of a URL's filters, and one task's history — from the audit
 * store, with the same queries as the CLI. Imperative shell; the answers are built by pure code
 * (timeline-request, query/timeline).
 *
 * It only answers GET and HEAD, only to requests addressed to its own loopback address (a page
 * on another site cannot reach it through DNS rebinding), only to the holder of this session's
 * token (web-session), and the page may load nothing but what this server serves
 * (Content-Security-Policy). Its work is bounded: two API requests at a time (request-gate), a
 * request's reads stop when its client goes away, and a timeline stops reading once it holds
 * more runs than it shows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadControl } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { isCluster } from '../query/query-scope';
import { filterRunsByStatus, toTaskRuns } from '@ecslog/task-runs';
import { toTimeline } from '@ecslog/task-runs';
import type { TaskHistoryResponse, TimelineResponse } from './api-types';
import { readAllPages } from '../commands/cli-io';
import { latestRecordsInScope } from '../commands/query-support';
import type { PageAssets } from './page-assets';
import type { RequestGate, RequestGateOptions } from './request-gate';
import { createRequestGate, DEFAULT_REQUEST_GATE } from './request-gate';
import { BadRequestError, timelineRequestOf } from './timeline-request';
import type { WebSession } from './web-session';
import {
  accessOf,
  createSessionToken,
  PAGE_REQUEST_HEADER,
  sessionCookieName,
  TOKEN_PARAMETER,
} from './web-session';

export const WEB_HOST = '127.0.0.1';

export interface WebServerOptions {
  store: Pick<AuditStoreConnection, 'reader' | 'description'>;
  assets: PageAssets;
  /** 0 picks a free port. */
  port: number;
  now: () => number;
  /** Where a failed request is reported (one line each); the page shows the message too. */
  log: (line: string) => void;
  /** Most runs one timeline carries (default {@link MAX_TIMELINE_RUNS}). */
  maxRuns?: number;
  /** The session's token (default: 256 new random bits). */
  token?: string;
  /** API requests worked on at once, and how long others wait (default {@link DEFAULT_REQUEST_GATE}). */
  gate?: RequestGateOptions;
}

/**
 * Runs one timeline carries at most: about 30 MB of JSON for the browser. A view with more shows
 * its filters and says how many runs it holds, so that people narrow it.
 */
export const MAX_TIMELINE_RUNS = 50_000;

export interface WebServer {
  /** What to print and open: `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  /** `http://127.0.0.1:PORT/`: answers only with the session's cookie or token. */
  origin: string;
  /** The session's token: `?token=` on any request, or traded for the cookie by the page. */
  token: string;
  port: number;
  close(): Promise<void>;
}

/** A port another program (or another ecslog) is using; said in one line. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Starts the web view on 127.0.0.1, with a new session token unless one is given. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? createSessionToken();
  const gate = createRequestGate(options.gate ?? DEFAULT_REQUEST_GATE);
  const server = createServer((request, response) => {
    // Aborted when the client goes away before its answer is sent: its reads stop.
    const client = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) client.abort(new ClientGoneError());
    });
    const session = { token, cookieName: sessionCookieName(addressOf().port) };
    const context: RequestContext = { options, session, gate, signal: client.signal };
    handle(request, response, context, addressOf()).catch((error: unknown) => {
      if (client.signal.aborted) return;
      options.log(`web view: ${withoutToken(request.url)}: ${describe(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: describe(error) });
      else response.destroy();
    });
  });
  const addressOf = () => server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `port ${options.port} on ${WEB_HOST} is in use: choose another with --ui-port (ecslog local) or --port (ecslog ui)`,
            )
          : error,
      ),
    );
    server.listen(options.port, WEB_HOST, resolve);
  });
  const { port } = addressOf();
  const origin = `http://${WEB_HOST}:${port}/`;
  return {
    url: `${origin}?${TOKEN_PARAMETER}=${token}`,
    origin,
    token,
    port,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface RequestContext {
  options: WebServerOptions;
  session: WebSession;
  gate: RequestGate;
  /** Fires when the client goes away. */
  signal: AbortSignal;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
  address: AddressInfo,
): Promise<void> {
  const { options } = context;
  const hosts = [`${WEB_HOST}:${address.port}`, `localhost:${address.port}`];
  if (!hosts.includes(request.headers.host ?? '')) {
    sendText(response, 421, `this server answers only requests to http://${hosts[0]}/\n`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendText(response, 405, 'the web view is read-only: only GET and HEAD\n');
    return;
  }
  const url = new URL(request.url ?? '/', `http://${hosts[0]}`);
  const access = accessOf(
    {
      pathname: url.pathname,
      search: url.searchParams,
      cookieHeader: request.headers.cookie,
      fetchSite: header(request, 'sec-fetch-site'),
      fromPage: header(request, PAGE_REQUEST_HEADER) !== undefined,
    },
    context.session,
  );
  if (access.kind === 'refuse') {
    if (url.pathname.startsWith('/api/')) sendJson(response, 403, { error: access.message });
    else sendText(response, 403, `ecslog web view: ${access.message}\n`);
    return;
  }
  if (access.kind === 'enter') {
    response.writeHead(303, {
      ...SECURITY_HEADERS,
      Location: access.location,
      'Set-Cookie': access.cookie,
      'Cache-Control': 'no-store',
    });
    response.end();
    return;
  }
  url.searchParams.delete(TOKEN_PARAMETER);
  switch (url.pathname) {
    case '/':
      return sendAsset(response, 'text/html; charset=utf-8', options.assets.html);
    case '/app.js':
      return sendAsset(response, 'text/javascript; charset=utf-8', await options.assets.script());
    case '/app.css':
      return sendAsset(response, 'text/css; charset=utf-8', options.assets.css);
    case '/api/timeline':
      return answer(response, context, (signal) => timelineOf(url.searchParams, options, signal));
    case '/api/task':
      return answer(response, context, () => taskHistory(url.searchParams, options));
    default:
      sendText(response, 404, `not found: ${url.pathname}\n`);
  }
}

async function timelineOf(
  params: URLSearchParams,
  { store, now, maxRuns = MAX_TIMELINE_RUNS }: WebServerOptions,
  signal: AbortSignal,
): Promise<TimelineResponse> {
  const request = timelineRequestOf(params, now());
  const activity = await store.reader.activity(request.range, { signal });
  const { records, runsRead } = await readRunsUpTo(maxRuns, signal, (control) =>
    latestRecordsInScope(store, request.scope, request.range, activity, control),
  );
  signal.throwIfAborted();
  const runs = records && filterRunsByStatus(toTaskRuns(records), request.status);
  const clusters = new Map(activity.map((a) => [a.clusterArn, clusterName(a.clusterArn)]));
  const groups = activity
    .filter((a) => Boolean(a.group))
    .filter(
      (a) => request.scope.cluster === undefined || isCluster(a.clusterArn, request.scope.cluster),
    )
    .map((a) => ({ clusterName: clusterName(a.clusterArn), group: a.group as string }));
  const omitted: TimelineResponse['omitted'] =
    runs === undefined
      ? { runs: runsRead, limit: maxRuns, complete: false }
      : runs.length > maxRuns
        ? { runs: runs.length, limit: maxRuns, complete: true }
        : undefined;
  signal.throwIfAborted();
  return {
    ...toTimeline(omitted || runs === undefined ? [] : runs, request.range, now()),
    ...(omitted ? { omitted } : {}),
    store: store.description,
    choices: {
      clusters: [...new Set(clusters.values())].sort(),
      groups: groups.sort(
        (a, b) => a.group.localeCompare(b.group) || a.clusterName.localeCompare(b.clusterName),
      ),
    },
  };
}

/**
 * Runs `read`, stopping it once the runs it has read are more than `maxRuns` (certain: the
 * store counts a lower bound). Then `records` is undefined and `runsRead` is the count so far;
 * the status filter is not applied to it, as telling the runs of a status needs them all read.
 */
async function readRunsUpTo(
  maxRuns: number,
  signal: AbortSignal,
  read: (control: ReadControl) => Promise<AuditRecord[]>,
): Promise<{ records?: AuditRecord[]; runsRead: number }> {
  const enough = new AbortController();
  let runsRead = 0;
  try {
    const records = await read({
      signal: AbortSignal.any([signal, enough.signal]),
      onRuns: (added) => {
        runsRead += added;
        if (runsRead > maxRuns && !enough.signal.aborted) enough.abort(new Error('enough runs'));
      },
    });
    return { records, runsRead };
  } catch (error) {
    if (signal.aborted || !enough.signal.aborted) throw error;
    return { runsRead };
  }
}

async function taskHistory(
  params: URLSearchParams,
  { store }: WebServerOptions,
): Promise<TaskHistoryResponse> {
  const arn = params.get('arn') ?? '';
  if (!/^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task\/.+/.test(arn))
    throw new BadRequestError(
      `arn must be a task ARN (arn:aws:ecs:REGION:ACCOUNT:task/…), got "${arn}"`,
    );
  const records = await readAllPages((page) => store.reader.history(arn, page));
  if (records.length === 0)
    throw new NotFoundError(`no records of task ${arn} in ${store.description}`);
  return { records };
}

class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The client went away before its answer was sent. */
class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** Answers an API request in its turn (503 when there is none), as JSON. */
async function answer(
  response: ServerResponse,
  { gate, signal }: RequestContext,
  build: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const leave = await gate.enter(signal);
  if (signal.aborted) {
    leave?.();
    return;
  }
  if (!leave) {
    response.setHeader('Retry-After', '1');
    sendJson(response, 503, {
      error: 'the web view is busy with other requests: try again in a moment',
    });
    return;
  }
  try {
    sendJson(response, 200, await build(signal));
  } catch (error) {
    if (error instanceof BadRequestError) sendJson(response, 400, { error: error.message });
    else if (error instanceof NotFoundError) sendJson(response, 404, { error: error.message });
    else throw error;
  } finally {
    leave();
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function sendAsset(response: ServerResponse, type: string, body: string): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Cache-Control': 'no-cache',
  });
  response.end(body);
}

function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(body);
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A request's URL for the log: the token is not written anywhere. */
function withoutToken(url: string | undefined): string {
  return (url ?? '').replace(/([?&]token=)[^&]*/, '$1…');
}

function clusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
