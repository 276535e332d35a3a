/**
 * The web view's server: a read-only HTTP server on 127.0.0.1 that serves the page and answers
 * its four questions — the timeline of a URL's filters (every run active at some moment of the
 * range), the timeline of a search (a task, an address, an image, an instance), one task's
 * history with its EC2 instance, and the incidents of the filters' range — from the audit store,
 * with the same queries as the CLI.
 * Imperative shell; the answers are built by pure code (timeline-request, task-runs' timeline).
 *
 * It only answers GET and HEAD, only to requests addressed to its own loopback address (a page
 * on another site cannot reach it through DNS rebinding), only to the holder of this session's
 * token (web-session), and the page may load nothing but what this server serves
 * (Content-Security-Policy). Its work is bounded: two API requests at a time (request-gate), a
 * request's reads stop when its client goes away, and a timeline stops reading once it holds
 * more runs than it shows. A timeline's answer says what its reads cost in `Server-Timing`, and
 * the incidents' how long they took.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadControl, RunScope, RunsRead } from '@ecslog/audit-store';
import { clusterNameOf, groupOf, isCluster, keepsRun } from '@ecslog/audit-store';
import type { IncidentReader } from '@ecslog/notifier';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import type { TaskRun } from '@ecslog/task-runs';
import {
  digestDrift,
  filterRunsByStatus,
  packTimeline,
  parseLookupTarget,
  toTimeline,
} from '@ecslog/task-runs';
import { ec2InstanceOf } from '../commands/task.command';
import type { LookupOptions } from '../query/run-lookup';
import { describeLookup, matchedValueOf, readLookup, runLookupOf } from '../query/run-lookup';
import type {
  IncidentsResponse,
  SearchFacts,
  TaskHistoryResponse,
  TimelineResponse,
} from './api-types';
import { packRunFacts } from './api-types';
import { incidentsOf, incidentsRequestOf } from './incidents-request';
import type { PageAssets } from './page-assets';
import type { RequestGate, RequestGateOptions } from './request-gate';
import { createRequestGate, DEFAULT_REQUEST_GATE } from './request-gate';
import type { TimelineRequest } from './timeline-request';
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
  /**
   * Reads the incidents panel's incidents: the notifier's `createIncidentReader` of the store's
   * table. Without it `/api/incidents` answers no incidents and says why (`unavailable`).
   */
  incidents?: IncidentReader;
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
      return sendAsset(
        response,
        'text/javascript; charset=utf-8',
        await options.assets.script('app'),
      );
    case '/first-request.js':
      return sendAsset(
        response,
        'text/javascript; charset=utf-8',
        await options.assets.script('first-request'),
      );
    case '/app.css':
      return sendAsset(response, 'text/css; charset=utf-8', options.assets.css);
    case '/api/timeline':
      return answer(response, context, (signal) => timelineOf(url.searchParams, options, signal));
    case '/api/search':
      return answer(response, context, (signal) => searchOf(url.searchParams, options, signal));
    case '/api/incidents':
      return answer(response, context, () => incidentsAnswer(url.searchParams, options));
    case '/api/task':
      return answer(response, context, async () => ({
        body: await taskHistory(url.searchParams, options),
      }));
    default:
      sendText(response, 404, `not found: ${url.pathname}\n`);
  }
}

/**
 * The timeline of a URL's filters. One read of every run active in the range (unscoped): the
 * filters' choices list every cluster and group active in it, and a cluster or group asked for is
 * kept from the same runs, so a scoped view costs what the whole range does — about one item per
 * run of the range. Only a range holding more than `maxRuns` runs is read again for a cluster
 * asked for (the store reads a cluster's runs, or its group's, by key prefix), so that narrowing
 * to a cluster still answers; its choices are then those of the cluster's runs, as the whole
 * range was not read. A group alone is read in every cluster: it narrows the answer, not the read.
 */
async function timelineOf(
  params: URLSearchParams,
  { store, now, maxRuns = MAX_TIMELINE_RUNS }: WebServerOptions,
  signal: AbortSignal,
): Promise<Answer<TimelineResponse>> {
  const request = timelineRequestOf(params, now());
  const started = performance.now();
  const read = (scope: RunScope) =>
    readRunsUpTo(maxRuns, signal, (control) =>
      store.reader.runsDuring(request.range, scope, control),
    );
  // A view of a cluster (or of a cluster's service or family) reads that cluster's partitions
  // only, so its reads are proportional to its answer; its choices are then that cluster and its
  // groups. A view of every cluster, or of a group in any cluster (which the run index cannot
  // bound by key), reads the range whole and filters in memory; its choices are every cluster and
  // group active in the range.
  const scoped = request.scope.cluster !== undefined;
  const reading = await read(scoped ? request.scope : {});
  signal.throwIfAborted();
  // The reader answers the runs active in the range in the scope it was given: only a group asked
  // for without its cluster is left to keep.
  const inScope =
    scoped || request.scope.group === undefined
      ? reading.runs
      : reading.runs?.filter((run) => keepsRun(run, request.range, request.scope));
  return {
    body: timelineBodyOf(reading, inScope, request, { store, now, maxRuns }),
    serverTiming: serverTimingOf(performance.now() - started, reading.items),
  };
}

/**
 * The answer of a timeline or a search: the runs read (`inScope`: those the view keeps;
 * `undefined` when the read stopped past `maxRuns`) kept to the status asked for, drawn — or only
 * counted when more than `maxRuns` — with their digest drift and, for a search, what it matched.
 */
function timelineBodyOf(
  reading: { runs?: TaskRun[]; runsRead: number },
  inScope: TaskRun[] | undefined,
  request: TimelineRequest,
  { store, now, maxRuns }: Pick<WebServerOptions, 'store' | 'now'> & { maxRuns: number },
  searchOf?: (shown: readonly TaskRun[]) => SearchFacts,
): TimelineResponse {
  const runs = inScope && filterRunsByStatus(inScope, request.status);
  const omitted: TimelineResponse['omitted'] =
    runs === undefined
      ? { runs: reading.runsRead, limit: maxRuns, complete: false }
      : runs.length > maxRuns
        ? { runs: runs.length, limit: maxRuns, complete: true }
        : undefined;
  const shown = omitted || runs === undefined ? [] : runs;
  const timeline = toTimeline(shown, request.range, now());
  return {
    ...packTimeline(timeline),
    ...(omitted ? { omitted } : {}),
    store: store.description,
    choices: choicesOf(reading.runs ?? [], request),
    ...packRunFacts(timeline, digestDrift(shown), searchOf?.(shown)),
  };
}

/** `q`'s kinds of lookup, by the `ecslog tasks` option that asks for it. */
const LOOKUP_OPTIONS = { address: 'ip', image: 'image', instance: 'instance' } as const;

/**
 * The runs a search text finds (`q`), as a timeline: a task id or ARN gives that task's run, over
 * its own span (the range asked for is left aside: a task is found whenever it ran); an address,
 * image or instance the runs the store's lookups find in the range, kept to the filters — the
 * reads of `ecslog tasks --ip/--image/--instance`. A view of more than `maxRuns` runs is
 * counted, not drawn, as a timeline's is.
 */
async function searchOf(
  params: URLSearchParams,
  { store, now, maxRuns = MAX_TIMELINE_RUNS }: WebServerOptions,
  signal: AbortSignal,
): Promise<Answer<TimelineResponse>> {
  const text = params.get('q')?.trim() ?? '';
  const filters = new URLSearchParams(params);
  filters.delete('q');
  const request = timelineRequestOf(filters, now());
  const target = parseLookupTarget(text);
  if (target.kind === 'invalid') throw new BadRequestError(`search: ${target.error}`);
  const started = performance.now();
  if (target.kind === 'task') {
    const run = (await store.reader.task(target.value))?.run;
    if (run === undefined)
      throw new NotFoundError(`no task ${target.value} in ${store.description}`);
    const range = spanAround(run, now());
    const search: SearchFacts = {
      text,
      kind: 'task',
      description: `task ${run.record.taskId ?? target.value}`,
      matched: { [run.id]: run.record.taskId ?? target.value },
    };
    const timeline = toTimeline([run], range, now());
    return {
      body: {
        ...packTimeline(timeline),
        store: store.description,
        choices: choicesOf([run], request),
        ...packRunFacts(timeline, [], search),
      },
      serverTiming: serverTimingOf(performance.now() - started, undefined),
    };
  }
  const lookup = runLookupOf({ [LOOKUP_OPTIONS[target.kind]]: target.value } as LookupOptions);
  if (lookup === undefined) throw new BadRequestError(`search: nothing to look up in "${text}"`);
  const reading = await readRunsUpTo(maxRuns, signal, (control) =>
    readLookup(store.reader, lookup, request.range, control),
  );
  signal.throwIfAborted();
  const inScope = reading.runs?.filter((run) => keepsRun(run, request.range, request.scope));
  return {
    body: timelineBodyOf(reading, inScope, request, { store, now, maxRuns }, (shown) => ({
      text,
      kind: target.kind,
      description: describeLookup(lookup),
      matched: Object.fromEntries(shown.map((run) => [run.id, matchedValueOf(run, lookup)])),
    })),
    serverTiming: serverTimingOf(performance.now() - started, reading.items),
  };
}

/**
 * A range around a run, for a timeline of it alone: its span (an open run's up to now) and a tenth
 * of it more each side, at least a minute.
 */
function spanAround(run: TaskRun, now: number): { from: string; to: string } {
  const start = Date.parse(run.startTime);
  const ended = run.endTime === undefined ? undefined : Date.parse(run.endTime);
  const end = Math.max(start, ended ?? (run.end === 'open' ? now : start));
  const margin = Math.max(60_000, (end - start) / 10);
  return {
    from: new Date(start - margin).toISOString(),
    to: new Date(end + margin).toISOString(),
  };
}

/**
 * What the filters offer: every cluster of the runs, and their groups (of the cluster asked for,
 * when one is). The scope asked for is always among them, so that the page shows it chosen.
 */
function choicesOf(
  runs: readonly TaskRun[],
  { scope }: TimelineRequest,
): TimelineResponse['choices'] {
  const clusters = new Set<string>();
  const groups = new Map<string, { clusterName: string; group: string }>();
  for (const { record } of runs) {
    clusters.add(record.clusterName);
    const group = groupOf(record);
    if (group === undefined) continue;
    if (scope.cluster !== undefined && !isCluster(record.clusterArn, scope.cluster)) continue;
    groups.set(`${record.clusterName}\u0000${group}`, { clusterName: record.clusterName, group });
  }
  if (scope.cluster !== undefined) {
    clusters.add(clusterNameOf(scope.cluster));
    if (scope.group !== undefined)
      groups.set(`${clusterNameOf(scope.cluster)}\u0000${scope.group}`, {
        clusterName: clusterNameOf(scope.cluster),
        group: scope.group,
      });
  }
  return {
    clusters: [...clusters].sort(),
    groups: [...groups.values()].sort(
      (a, b) => a.group.localeCompare(b.group) || a.clusterName.localeCompare(b.clusterName),
    ),
  };
}

/**
 * `Server-Timing` of a timeline: how long its reads and layout took, how many stored items the
 * reads went through and how many the read cache served instead (both absent when a read was
 * stopped before its end).
 */
function serverTimingOf(
  durationMs: number,
  items: Pick<RunsRead, 'itemsRead' | 'itemsCached'> | undefined,
): string {
  const counts =
    items === undefined
      ? ''
      : `, items;desc="${items.itemsRead}", cached;desc="${items.itemsCached}"`;
  return `timeline;dur=${durationMs.toFixed(1)}${counts}`;
}

/**
 * Runs `read`, stopping it once the runs it has read are more than `maxRuns`. Then `runs` is
 * undefined and `runsRead` is the count so far; the status filter is not applied to it, as telling
 * the runs of a status needs them all read. The count is of the runs the reads found, a few of
 * which (in the range's first hour, or carried into it) may have ended before the range.
 */
async function readRunsUpTo(
  maxRuns: number,
  signal: AbortSignal,
  read: (control: ReadControl) => Promise<RunsRead>,
): Promise<{
  runs?: TaskRun[];
  /** Unknown when the read was stopped before its end. */
  items?: Pick<RunsRead, 'itemsRead' | 'itemsCached'>;
  runsRead: number;
}> {
  const enough = new AbortController();
  const stop = AbortSignal.any([signal, enough.signal]);
  // Each of the reader's reads in flight listens to it.
  setMaxListeners(64, stop);
  let runsRead = 0;
  try {
    const { runs, itemsRead, itemsCached } = await read({
      signal: stop,
      onRuns: (added) => {
        runsRead += added;
        if (runsRead > maxRuns && !enough.signal.aborted) enough.abort(new Error('enough runs'));
      },
    });
    return { runs, items: { itemsRead, itemsCached }, runsRead: runs.length };
  } catch (error) {
    if (signal.aborted || !enough.signal.aborted) throw error;
    return { runsRead };
  }
}

/**
 * The incidents of the filters' range (open ones first), read with the notifier's reader (the
 * table's incident partitions: each key's current episode and the episodes of the range), kept
 * to the cluster and group asked for. `Server-Timing` says how long that took and how many the
 * reader answered.
 */
async function incidentsAnswer(
  params: URLSearchParams,
  { store, now, incidents }: WebServerOptions,
): Promise<Answer<IncidentsResponse>> {
  const request = incidentsRequestOf(params, now());
  if (incidents === undefined)
    return {
      body: {
        incidents: [],
        range: request.range,
        store: store.description,
        unavailable: 'this web view was started without a reader of incidents',
      },
      serverTiming: 'incidents;dur=0.0, read;desc="0"',
    };
  const started = performance.now();
  const read = await incidents.listIncidents({
    ...(request.open && { open: true }),
    since: request.range.from,
    to: request.range.to,
  });
  return {
    body: { incidents: incidentsOf(read, request), range: request.range, store: store.description },
    serverTiming: `incidents;dur=${(performance.now() - started).toFixed(1)}, read;desc="${read.length}"`,
  };
}

/** One task's history (one Query of its partition); a run never started has only its record. */
async function taskHistory(
  params: URLSearchParams,
  { store }: WebServerOptions,
): Promise<TaskHistoryResponse> {
  const arn = params.get('arn') ?? '';
  if (!/^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task\/.+/.test(arn))
    throw new BadRequestError(
      `arn must be a task ARN (arn:aws:ecs:REGION:ACCOUNT:task/…), got "${arn}"`,
    );
  const task = await store.reader.task(arn);
  const records =
    task === undefined
      ? []
      : task.history.length > 0
        ? task.history
        : task.run
          ? [task.run.record]
          : [];
  if (records.length === 0)
    throw new NotFoundError(`no records of task ${arn} in ${store.description}`);
  const ec2InstanceId = await ec2InstanceOf(store.reader, records);
  return { records, ...(ec2InstanceId !== undefined && { ec2InstanceId }) };
}

class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The client went away before its answer was sent. */
class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** An API answer's body, and the `Server-Timing` header to send with it. */
interface Answer<Body> {
  body: Body;
  serverTiming?: string;
}

/** Answers an API request in its turn (503 when there is none), as JSON. */
async function answer(
  response: ServerResponse,
  { gate, signal }: RequestContext,
  build: (signal: AbortSignal) => Promise<Answer<unknown>>,
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
    const { body, serverTiming } = await build(signal);
    if (serverTiming !== undefined) response.setHeader('Server-Timing', serverTiming);
    sendJson(response, 200, body);
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
