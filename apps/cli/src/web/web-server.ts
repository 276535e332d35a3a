/**
 * The web view's server: a read-only HTTP server on 127.0.0.1 that serves the page and answers
 * its two questions — the timeline of a URL's filters, and one task's history — from the audit
 * store, with the same queries as the CLI. Imperative shell; the answers are built by pure code
 * (timeline-request, query/timeline).
 *
 * It only answers GET and HEAD, only to requests addressed to its own loopback address (a page
 * on another site cannot reach it through DNS rebinding), and the page may load nothing but
 * what this server serves (Content-Security-Policy).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { isCluster } from '../query/query-scope';
import { filterRunsByStatus, toTaskRuns } from '../query/task-runs';
import { toTimeline } from '../query/timeline';
import type { TaskHistoryResponse, TimelineResponse } from './api-types';
import { readAllPages } from '../commands/cli-io';
import { latestRecordsInScope } from '../commands/query-support';
import type { PageAssets } from './page-assets';
import { BadRequestError, timelineRequestOf } from './timeline-request';

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
}

/**
 * Runs one timeline carries at most: about 30 MB of JSON for the browser. A view with more shows
 * its filters and says how many runs it holds, so that people narrow it.
 */
export const MAX_TIMELINE_RUNS = 50_000;

export interface WebServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A port another program (or another ecslog) is using; said in one line. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = createServer((request, response) => {
    handle(request, response, options, addressOf()).catch((error: unknown) => {
      options.log(`web view: ${request.url}: ${describe(error)}`);
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
  return {
    url: `http://${WEB_HOST}:${port}/`,
    port,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: WebServerOptions,
  address: AddressInfo,
): Promise<void> {
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
  switch (url.pathname) {
    case '/':
      return sendAsset(response, 'text/html; charset=utf-8', options.assets.html);
    case '/app.js':
      return sendAsset(response, 'text/javascript; charset=utf-8', await options.assets.script());
    case '/app.css':
      return sendAsset(response, 'text/css; charset=utf-8', options.assets.css);
    case '/api/timeline':
      return answer(response, () => timelineOf(url.searchParams, options));
    case '/api/task':
      return answer(response, () => taskHistory(url.searchParams, options));
    default:
      sendText(response, 404, `not found: ${url.pathname}\n`);
  }
}

async function timelineOf(
  params: URLSearchParams,
  { store, now, maxRuns = MAX_TIMELINE_RUNS }: WebServerOptions,
): Promise<TimelineResponse> {
  const request = timelineRequestOf(params, now());
  const activity = await store.reader.activity(request.range);
  const records = await latestRecordsInScope(store, request.scope, request.range, activity);
  const runs = filterRunsByStatus(toTaskRuns(records), request.status);
  const clusters = new Map(activity.map((a) => [a.clusterArn, clusterName(a.clusterArn)]));
  const groups = activity
    .filter((a) => Boolean(a.group))
    .filter(
      (a) => request.scope.cluster === undefined || isCluster(a.clusterArn, request.scope.cluster),
    )
    .map((a) => ({ clusterName: clusterName(a.clusterArn), group: a.group as string }));
  const tooMany = runs.length > maxRuns;
  return {
    ...toTimeline(tooMany ? [] : runs, request.range, now()),
    ...(tooMany ? { omitted: { runs: runs.length, limit: maxRuns } } : {}),
    store: store.description,
    choices: {
      clusters: [...new Set(clusters.values())].sort(),
      groups: groups.sort(
        (a, b) => a.group.localeCompare(b.group) || a.clusterName.localeCompare(b.clusterName),
      ),
    },
  };
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

async function answer(response: ServerResponse, build: () => Promise<unknown>): Promise<void> {
  try {
    sendJson(response, 200, await build());
  } catch (error) {
    if (error instanceof BadRequestError) sendJson(response, 400, { error: error.message });
    else if (error instanceof NotFoundError) sendJson(response, 404, { error: error.message });
    else throw error;
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

function clusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
