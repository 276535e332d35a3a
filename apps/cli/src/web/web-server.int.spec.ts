/**
 * The web view's server over a simulated day in dynalite, through real HTTP: the page and its
 * script, the timeline of each filter, a task's history, and every way a request is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, CDPSession } from 'playwright-core';
import type { AuditReader } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, localClient, startDynalite } from '@ecslog/audit-store/testing';
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { simulateDay } from '@ecslog/simulator';
import { createEventIngest } from '../pipeline/event-ingest';
import { collectPageErrors, launchChromium } from '../testing/headless-chromium';
import type {
  ErrorResponse,
  TaskHistoryResponse,
  TimelineResponse,
  TimelineView,
} from './api-types';
import { timelineViewOf } from './api-types';
import { loadPageAssets } from './page-assets';
import type { WebServer, WebServerOptions } from './web-server';
import { PortInUseError, startWebServer } from './web-server';

interface TestServerOptions extends Pick<WebServerOptions, 'maxRuns' | 'gate'> {
  table?: string;
  client?: DynamoDBClient;
  /** Wraps the reader the server reads with. */
  reader?: (reader: AuditReader) => AuditReader;
}

jest.setTimeout(60_000);

describe('web view server (dynalite, simulated day)', () => {
  const NOW = Date.parse('2026-11-21T00:00:00.000Z');
  const day = simulateDay({ seed: 3, day: '2026-11-20' });
  const logged: string[] = [];
  let dynamo: LocalDynamoDb;
  let lakeDir: string;
  let web: WebServer;
  let tableName: string;

  /** The web view over the test table (or `table`), on any free port. */
  const serveTestTable = ({
    table = tableName,
    client = dynamo.client,
    reader = (plain) => plain,
    ...options
  }: TestServerOptions = {}) =>
    startWebServer({
      store: {
        reader: reader(createAuditReader({ client, tableName: table, now: () => NOW })),
        description: 'the test table',
      },
      assets: loadPageAssets(),
      port: 0,
      now: () => NOW,
      log: (line) => logged.push(line),
      ...options,
    });

  /** Ingests events into a new table of the test server, through the ingest code; its name. */
  async function tableOf(events: readonly Record<string, unknown>[]): Promise<string> {
    const table = await createAuditTable(dynamo.client);
    const lake = createLocalLakeWriter({ root: mkdtempSync(join(lakeDir, 'lake-')) });
    const ingest = createEventIngest({
      writer: createAuditWriter({
        client: dynamo.client,
        tableName: table,
        retentionDays: 30,
        now: () => NOW,
      }),
      quarantine: { hold: async () => undefined },
      lake,
      report: () => undefined,
      batchSize: 100,
      pause: async () => undefined,
    });
    const summary = await ingest(events.map((value, i) => ({ position: `day:${i + 1}`, value })));
    await lake.close();
    expect(summary.unwritten).toEqual([]);
    return table;
  }

  beforeAll(async () => {
    dynamo = await startDynalite();
    lakeDir = mkdtempSync(join(tmpdir(), 'ecslog-web-'));
    tableName = await tableOf(day.events);
    web = await serveTestTable();
  });
  afterAll(async () => {
    await web?.close();
    await dynamo?.stop();
    rmSync(lakeDir, { recursive: true, force: true });
  });

  /** With the session's token, as a script of the person's would ask (the page uses the cookie). */
  const get = (path: string, init?: RequestInit) => fetch(withToken(web, path), init);
  async function timeline(query = ''): Promise<TimelineView> {
    const response = await get(`/api/timeline${query}`);
    expect(response.status).toBe(200);
    return timelineViewOf((await response.json()) as TimelineResponse);
  }
  /** The stored items a timeline's reads went through, as its Server-Timing header says. */
  async function itemsReadBy(server: WebServer, query: string): Promise<number | undefined> {
    const response = await fetch(withToken(server, `/api/timeline${query}`));
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const items = /(?:^|,\s*)items;desc="(\d+)"/.exec(response.headers.get('server-timing') ?? '');
    return items ? Number(items[1]) : undefined;
  }
  async function refusal(path: string, status: number): Promise<string> {
    const response = await get(path);
    expect(response.status).toBe(status);
    return ((await response.json()) as ErrorResponse).error;
  }

  it('listens on 127.0.0.1 only, and prints a URL with a 256-bit session token', () => {
    expect(web.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(web.url).toBe(`${web.origin}?token=${web.token}`);
    expect(Buffer.from(web.token, 'base64url')).toHaveLength(32);
  });

  it('serves the page, its style and its bundled scripts, with a strict content security policy', async () => {
    const cookie = await sessionCookie(web);
    const page = await fetch(web.origin, { headers: { cookie } });
    const script = await get('/app.js');
    const firstRequest = await get('/first-request.js');
    const css = await fetch(new URL('/app.css', web.origin), { headers: { cookie } });

    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<section id="timeline"');
    // The small script that asks for the timeline comes first; both run once the page is parsed.
    expect(html).toMatch(
      /<script src="\/first-request\.js" defer><\/script>\s*<script src="\/app\.js" defer><\/script>/,
    );
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'self'/,
    );
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // ECharts is bundled in, not loaded from elsewhere.
    expect((await script.text()).length).toBeGreaterThan(100_000);
    expect(firstRequest.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const first = await firstRequest.text();
    expect(first.length).toBeLessThan(2_000);
    expect(first).toContain('/api/timeline');
    expect(await css.text()).toContain('#timeline');
  });

  it('lays out every task of the day once, and the tasks that never started as marks', async () => {
    const view = await timeline();

    // Each failures[] entry of a RunTask/StartTask response is a task that was never created.
    const calls = new Map<string, number>();
    for (const event of day.events) {
      const detail = event['detail'] as {
        eventName?: string;
        responseElements?: { failures?: unknown[] };
      };
      if (detail.eventName === 'RunTask' || detail.eventName === 'StartTask')
        calls.set(event['id'] as string, detail.responseElements?.failures?.length ?? 0);
    }
    const neverStarted = [...calls.values()].reduce((sum, n) => sum + n, 0);
    expect(neverStarted).toBeGreaterThan(0);
    expect(view.range).toEqual({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
    });
    expect(view.runs.filter((run) => !run.neverStarted)).toHaveLength(day.expected.tasks);
    expect(view.runs.filter((run) => run.neverStarted)).toHaveLength(neverStarted);
    expect(new Set(view.runs.map((run) => run.id)).size).toBe(view.runs.length);
    expect(view.store).toBe('the test table');
    expect(view.choices.clusters).toEqual(['batch', 'data', 'prod-web']);
    expect(view.choices.groups.map((g) => g.group)).toEqual(
      expect.arrayContaining(['service:web', 'service:api', 'family:hourly-sync']),
    );
  });

  it('reads about one stored item per run it answers with (Server-Timing), scoped or not', async () => {
    const all = await timeline();
    const batch = await timeline('?cluster=batch');

    const itemsAll = await itemsReadBy(web, '');
    const itemsBatch = await itemsReadBy(web, '?cluster=batch');

    expect(itemsAll).toBeGreaterThanOrEqual(all.runs.length);
    expect(itemsAll).toBeLessThanOrEqual(1.5 * all.runs.length);
    // A cluster's view reads that cluster's partitions only: proportional to its own answer.
    expect(itemsBatch).toBeGreaterThanOrEqual(batch.runs.length);
    expect(itemsBatch).toBeLessThanOrEqual(1.5 * batch.runs.length);
    expect(itemsAll).toBeDefined();
    expect(itemsBatch).toBeLessThan(itemsAll as number);
    expect(batch.choices.clusters).toEqual(['batch']);
  });

  it('says in Server-Timing how many items its read cache served instead of the store', async () => {
    const server = await serveTestTable({
      reader: (plain) => ({
        ...plain,
        runsDuring: async (range, scope, control) => ({
          ...(await plain.runsDuring(range, scope, control)),
          itemsRead: 3,
          itemsCached: 7,
        }),
      }),
    });
    try {
      const response = await fetch(withToken(server, '/api/timeline?since=6h'));
      await response.arrayBuffer();

      expect(response.headers.get('server-timing')).toMatch(
        /^timeline;dur=\d+\.\d, items;desc="3", cached;desc="7"$/,
      );
    } finally {
      await server.close();
    }
  });

  it('lists, per failure category, the runs that failed that way', async () => {
    const view = await timeline();

    const failedTasks = new Map<FailureCategory, number>();
    for (const run of view.runs)
      if (run.category) failedTasks.set(run.category, (failedTasks.get(run.category) ?? 0) + 1);
    expect(Object.fromEntries(view.failures.map((f) => [f.category, f.runIds.length]))).toEqual(
      Object.fromEntries(failedTasks),
    );
    expect(view.failures.map((f) => f.category)).toEqual(
      expect.arrayContaining(['out-of-memory', 'image-pull', 'placement']),
    );
  });

  it('narrows to a cluster, a service or family, a status and a range, as the CLI does', async () => {
    const all = await timeline();

    const web = await timeline('?group=service:web');
    const batch = await timeline('?cluster=batch');
    const failed = await timeline('?status=failed');
    const notStarted = await timeline('?status=not-started');
    const morning = await timeline('?from=2026-11-20T06:00:00Z&to=2026-11-20T12:00:00Z');

    expect(web.runs.length).toBeGreaterThan(0);
    expect(web.runs.every((run) => run.group === 'service:web')).toBe(true);
    expect(web.runs).toHaveLength(all.runs.filter((run) => run.group === 'service:web').length);
    expect(batch.runs).toHaveLength(all.runs.filter((run) => run.clusterName === 'batch').length);
    // A cluster's view offers that cluster and its groups (every cluster: clear the filter).
    expect(batch.choices.clusters).toEqual(['batch']);
    expect(batch.choices.groups.length).toBeGreaterThan(0);
    expect(batch.choices.groups.every((g) => g.clusterName === 'batch')).toBe(true);
    expect(web.choices.groups).toEqual(all.choices.groups);
    expect(failed.runs.map((run) => run.id).sort()).toEqual(
      all.runs
        .filter((run) => run.status === 'failed')
        .map((run) => run.id)
        .sort(),
    );
    expect(notStarted.runs.length).toBeGreaterThan(0);
    expect(notStarted.runs.every((run) => run.neverStarted && run.failure !== undefined)).toBe(
      true,
    );
    expect(morning.range).toEqual({
      from: '2026-11-20T06:00:00.000Z',
      to: '2026-11-20T12:00:00.000Z',
    });
    expect(morning.runs.length).toBeLessThan(all.runs.length);
  });

  it("answers a task's whole history, oldest first, with its stop reason", async () => {
    const oom = (await timeline('?status=failed')).runs.find(
      (run) => run.category === 'out-of-memory',
    );
    expect(oom).toBeDefined();

    const response = await get(`/api/task?arn=${encodeURIComponent(oom?.id ?? '')}`);

    expect(response.status).toBe(200);
    const { records } = (await response.json()) as TaskHistoryResponse;
    expect(records.length).toBeGreaterThan(1);
    expect(records.every((record) => record.resourceArn === oom?.id)).toBe(true);
    const times = records.map((record) => record.eventTime);
    expect(times).toEqual([...times].sort());
    expect(records.at(-1)?.containers?.some((c) => c.exitCode === 137)).toBe(true);
  });

  it('answers a search by task id with that run alone over its own span, whatever the range; a search it cannot read with 400, a task it does not hold with 404', async () => {
    const oom = (await timeline('?status=failed')).runs.find(
      (run) => run.category === 'out-of-memory',
    );
    expect(oom?.taskId).toBeDefined();

    const found = await get(`/api/search?q=${oom?.taskId ?? ''}&since=1h`);
    const unreadable = await get(`/api/search?q=${encodeURIComponent('sha256:abc')}`);
    const unknown = await get(`/api/search?q=${'0'.repeat(32)}`);

    expect(found.status).toBe(200);
    const view = timelineViewOf((await found.json()) as TimelineResponse);
    expect(view.runs.map((run) => run.id)).toEqual([oom?.id]);
    expect(view.search).toMatchObject({ kind: 'task', text: oom?.taskId });
    expect(Date.parse(view.range.from)).toBeLessThan(Date.parse(oom?.startTime ?? ''));
    expect(unreadable.status).toBe(400);
    await expect(unreadable.json()).resolves.toEqual({
      error: expect.stringMatching(/^search: sha256 digest must have 64 hex digits/),
    });
    expect(unknown.status).toBe(404);
  });

  it('sends no runs, but their count, for a view larger than a timeline carries; a cluster of it still answers', async () => {
    const all = await timeline();
    const data = await timeline('?cluster=data');
    const limit = all.runs.length - 1;
    const small = await serveTestTable({ maxRuns: limit });
    try {
      const view = timelineViewOf(
        (await (await fetch(withToken(small, 'api/timeline'))).json()) as TimelineResponse,
      );
      const narrowed = timelineViewOf(
        (await (
          await fetch(withToken(small, 'api/timeline?cluster=data'))
        ).json()) as TimelineResponse,
      );
      const group = timelineViewOf(
        (await (
          await fetch(withToken(small, 'api/timeline?group=service:web'))
        ).json()) as TimelineResponse,
      );

      // Reading stops once more than the limit are read: the count is of the runs read by then
      // (all of them when the last read passed it).
      expect(view.omitted?.limit).toBe(limit);
      expect(view.omitted?.runs).toBeGreaterThan(limit);
      expect(view.omitted?.runs).toBeLessThanOrEqual(all.runs.length);
      expect(view.runs).toEqual([]);
      expect(view.rows).toEqual([]);
      // The whole range was not read: no choices can be listed but those of the view asked for.
      expect(view.choices).toEqual({ clusters: [], groups: [] });
      // The cluster is read again by its own keys, and holds fewer runs than the limit.
      expect(data.runs.length).toBeGreaterThan(0);
      expect(narrowed.omitted).toBeUndefined();
      expect(narrowed.runs.map((run) => run.id)).toEqual(data.runs.map((run) => run.id));
      expect(narrowed.choices).toEqual({ clusters: ['data'], groups: data.choices.groups });
      // A group alone is read in every cluster: as large as the whole range.
      expect(group.omitted?.complete).toBe(false);
    } finally {
      await small.close();
    }
  });

  describe('runs that began before the window', () => {
    const DAY_MS = 86_400_000;
    const at = (days: number) => new Date(NOW - days * DAY_MS).toISOString();
    // Started ten days ago and still running; ran from day 1 to day 5 (of ten ago); stopped on day 2.
    const lives = [
      { taskId: 'a0000000000000000000000000000001', start: at(10) },
      { taskId: 'b0000000000000000000000000000002', start: at(9), stop: at(5) },
      { taskId: 'c0000000000000000000000000000003', start: at(9), stop: at(8) },
    ];
    const [long, dayOneToFive, early] = lives.map(({ taskId }) => taskId) as [
      string,
      string,
      string,
    ];
    let server: WebServer;
    let livesTable: string;
    beforeAll(async () => {
      const template = day.events.find(
        (event) =>
          event['detail-type'] === 'ECS Task State Change' &&
          (event['detail'] as { lastStatus?: string }).lastStatus === 'STOPPED',
      ) as Record<string, unknown>;
      const events = lives.flatMap((life) => [
        taskEventOf(template, life.taskId, 'RUNNING', life.start),
        ...(life.stop
          ? [taskEventOf(template, life.taskId, 'STOPPED', life.start, life.stop)]
          : []),
      ]);
      livesTable = await tableOf(events);
      server = await serveTestTable({ table: livesTable });
    });
    afterAll(async () => {
      await server?.close();
    });
    const view = async (query: string) => {
      const response = await fetch(withToken(server, `/api/timeline${query}`));
      expect(response.status).toBe(200);
      return timelineViewOf((await response.json()) as TimelineResponse);
    };
    const barOf = (timeline: TimelineView, taskId: string) =>
      timeline.runs.find((run) => run.taskId === taskId);

    it('shows a task started ten days ago and still running in the last hour, its bar clipped at the hour and continuing', async () => {
      const lastHour = await view('?since=1h');

      expect(lastHour.runs.map((run) => run.taskId)).toEqual([long]);
      expect(barOf(lastHour, long)).toMatchObject({
        startTime: at(10),
        start: NOW - 3_600_000,
        end: NOW,
        runEnd: 'open',
        open: true,
        continuesBefore: true,
        continuesAfter: true,
      });
      expect(lastHour.choices.clusters).toEqual([barOf(lastHour, long)?.clusterName]);
    });

    it('shows, in a day three window, the task running since and the one that ran days 1 to 5, not the one that stopped on day 2', async () => {
      const dayThree = { from: at(7), to: new Date(NOW - 6 * DAY_MS - 1).toISOString() };

      const window = await view(`?${new URLSearchParams(dayThree).toString()}`);
      const instant = await view(`?at=${encodeURIComponent(at(6.5))}`);

      expect(window.runs.map((run) => run.taskId).sort()).toEqual([long, dayOneToFive]);
      expect(barOf(window, dayOneToFive)).toMatchObject({
        start: Date.parse(dayThree.from),
        end: Date.parse(dayThree.to),
        endTime: at(5),
        runEnd: 'stopped',
        open: false,
        continuesBefore: true,
        continuesAfter: true,
      });
      expect(barOf(window, early)).toBeUndefined();
      expect(instant.range).toEqual({ from: at(6.5), to: at(6.5) });
      expect(instant.runs.map((run) => run.taskId).sort()).toEqual([long, dayOneToFive]);
      expect((await view(`?at=${encodeURIComponent(at(8.5))}`)).runs).toHaveLength(3);
    });

    // Last: it closes the long run. The server's reader keeps runs decoded between views, by the
    // stored bytes and end they were decoded from: a run that changed is read as it is now.
    it('shows a run as it is now when a range is viewed again after the run changed', async () => {
      const before = await view('?since=1d');
      expect(barOf(before, long)).toMatchObject({ runEnd: 'open', open: true });
      const writer = createAuditWriter({
        client: dynamo.client,
        tableName: livesTable,
        retentionDays: 30,
        now: () => NOW,
      });

      expect(await writer.closeRun(long, { at: at(0.5), reason: 'reconciled' })).toBe('closed');

      const after = await view('?since=1d');
      expect(barOf(after, long)).toMatchObject({
        runEnd: 'closed',
        endTime: at(0.5),
        closure: { at: at(0.5), reason: 'reconciled' },
        open: false,
        end: Date.parse(at(0.5)),
      });
      expect((await view('?since=1h')).runs).toEqual([]);
    });
  });

  it('refuses a bad filter with a message naming it', async () => {
    expect(await refusal('/api/timeline?since=yesterday', 400)).toMatch(
      /^since must be a positive duration/,
    );
    expect(await refusal('/api/timeline?service=web', 400)).toMatch(/^unknown parameter "service"/);
    expect(await refusal('/api/timeline?group=web', 400)).toMatch(
      /^group must be service:NAME or family:NAME/,
    );
    expect(await refusal('/api/timeline?status=broken', 400)).toMatch(/^status must be one of/);
    expect(await refusal('/api/task?arn=nope', 400)).toMatch(/^arn must be a task ARN/);
    expect(
      await refusal(
        `/api/task?arn=${encodeURIComponent('arn:aws:ecs:eu-west-1:111122223333:task/batch/0000')}`,
        404,
      ),
    ).toMatch(/^no records of task .*task\/batch\/0000 in the test table$/);
    expect(logged).toEqual([]);
  });

  it('is read-only, answers only requests addressed to it, and nothing else', async () => {
    const post = await get('/api/timeline', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/nothing-here')).status).toBe(404);

    // A page elsewhere that rebinds its own name to 127.0.0.1 sends its own Host header.
    const rebound = await rawGet(
      web.port,
      `/api/timeline?token=${web.token}`,
      'attacker.example:80',
    );
    expect(rebound.status).toBe(421);
    expect((await rawGet(web.port, `/?token=${web.token}`, `localhost:${web.port}`)).status).toBe(
      303,
    );
  });

  describe('session token', () => {
    const api = (init: RequestInit = {}) => fetch(new URL('/api/timeline', web.origin), init);

    it('refuses the page, its script and the API without the token or the cookie (403, one line)', async () => {
      const page = await fetch(web.origin);
      const script = await fetch(new URL('/app.js', web.origin));
      const timelineAnswer = await api();
      const wrongToken = await fetch(`${web.origin}api/timeline?token=${'A'.repeat(43)}`);
      const otherSession = await api({
        headers: { cookie: `ecslog-session-${web.port}=${'B'.repeat(43)}`, 'x-ecslog-page': '1' },
      });

      expect(page.status).toBe(403);
      expect(await page.text()).toBe(
        'ecslog web view: no session: open the link `ecslog ui` or `ecslog local` printed when it started: it carries this session’s token\n',
      );
      expect(script.status).toBe(403);
      expect(timelineAnswer.status).toBe(403);
      expect(((await timelineAnswer.json()) as ErrorResponse).error).toMatch(/^no session: /);
      expect(wrongToken.status).toBe(403);
      expect(((await wrongToken.json()) as ErrorResponse).error).toMatch(
        /^this link's token is not this session's/,
      );
      expect(otherSession.status).toBe(403);
    });

    it('trades the token for an HttpOnly, SameSite=Strict cookie and sends the browser to the URL without it', async () => {
      const entry = await fetch(`${web.url}&group=service:web&since=7d`, { redirect: 'manual' });

      expect(entry.status).toBe(303);
      expect(entry.headers.get('location')).toBe('/?group=service%3Aweb&since=7d');
      expect(entry.headers.get('set-cookie')).toBe(
        `ecslog-session-${web.port}=${web.token}; HttpOnly; SameSite=Strict; Path=/`,
      );
      expect(entry.headers.get('cache-control')).toBe('no-store');
    });

    it("answers the page's own API requests with the cookie, not those of other pages", async () => {
      const cookie = await sessionCookie(web);
      const fromPage = { cookie, 'x-ecslog-page': '1' };

      const own = await api({ headers: { ...fromPage, 'sec-fetch-site': 'same-origin' } });
      const noBrowser = await api({ headers: fromPage });
      const withoutHeader = await api({ headers: { cookie, 'sec-fetch-site': 'same-origin' } });
      // Another port of 127.0.0.1 is the same site: the browser sends the cookie from there too.
      const otherPort = await api({ headers: { ...fromPage, 'sec-fetch-site': 'same-site' } });
      const otherSite = await api({ headers: { ...fromPage, 'sec-fetch-site': 'cross-site' } });

      expect(own.status).toBe(200);
      expect(noBrowser.status).toBe(200);
      expect(withoutHeader.status).toBe(403);
      expect(otherPort.status).toBe(403);
      expect(((await otherPort.json()) as ErrorResponse).error).toBe(
        'refused: a request from another page (Sec-Fetch-Site: same-site)',
      );
      expect(otherSite.status).toBe(403);
    });
  });

  describe('bounded work', () => {
    it.each([
      ['it has just begun', 20],
      ['it is well on', 400],
    ])(
      'stops reading the runs when the client goes away while %s',
      async (_phase, queriesBeforeAbort) => {
        const counting = countingClient(dynamo.endpoint, 3);
        const server = await serveTestTable({ client: counting.client });
        try {
          const client = new AbortController();
          const request = fetch(withToken(server, '/api/timeline?since=120d'), {
            signal: client.signal,
          }).catch(() => 'aborted');
          while (counting.queries.length < queriesBeforeAbort) await sleep(5);

          client.abort();
          expect(await request).toBe('aborted');
          await sleep(100);
          const settled = counting.queries.length;
          await sleep(500);

          // 120 days of hours × 4 shards when read to the end; 16 reads in flight at once.
          expect(counting.queries.length).toBe(settled);
          expect(settled - queriesBeforeAbort).toBeLessThanOrEqual(20);
          expect(logged).toEqual([]);
        } finally {
          await server.close();
        }
      },
    );

    it('works on two API requests at once: of 20 at once, 2 are answered, 4 wait their turn, the rest are told to retry (503)', async () => {
      let active = 0;
      let mostActive = 0;
      let calls = 0;
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const server = await serveTestTable({
        gate: { inFlight: 2, queued: 4, waitMs: 10_000 },
        reader: (plain) => ({
          ...plain,
          runsDuring: async (range, scope, control) => {
            calls += 1;
            active += 1;
            mostActive = Math.max(mostActive, active);
            try {
              await held;
              return await plain.runsDuring(range, scope, control);
            } finally {
              active -= 1;
            }
          },
        }),
      });
      try {
        const statuses: number[] = [];
        const answers = Array.from({ length: 20 }, () =>
          fetch(withToken(server, '/api/timeline')).then(async (response) => {
            statuses.push(response.status);
            if (statuses.filter((status) => status === 503).length === 14) release();
            if (response.status === 503) {
              expect(response.headers.get('retry-after')).toBe('1');
              expect(((await response.json()) as ErrorResponse).error).toBe(
                'the web view is busy with other requests: try again in a moment',
              );
            } else await response.arrayBuffer();
          }),
        );
        await Promise.all(answers);

        expect(statuses.filter((status) => status === 200)).toHaveLength(6);
        expect(statuses.filter((status) => status === 503)).toHaveLength(14);
        expect(mostActive).toBe(2);
        expect(calls).toBe(6);
        // Turns are given back: the next request is answered.
        expect((await fetch(withToken(server, '/api/timeline'))).status).toBe(200);
      } finally {
        await server.close();
      }
    });

    it('tells a waiting request to retry when no turn comes in time', async () => {
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const server = await serveTestTable({
        gate: { inFlight: 1, queued: 4, waitMs: 200 },
        reader: (plain) => ({
          ...plain,
          runsDuring: async (range, scope, control) => {
            await held;
            return plain.runsDuring(range, scope, control);
          },
        }),
      });
      try {
        const first = fetch(withToken(server, '/api/timeline'));
        await sleep(50);
        const started = Date.now();
        const second = await fetch(withToken(server, '/api/timeline'));
        const waited = Date.now() - started;
        release();

        expect(second.status).toBe(503);
        expect(waited).toBeGreaterThanOrEqual(150);
        expect((await first).status).toBe(200);
      } finally {
        await server.close();
      }
    });

    it('stops reading a range once it holds more runs than a timeline shows, and says how many so far', async () => {
      const days = [
        '2026-11-15',
        '2026-11-16',
        '2026-11-17',
        '2026-11-18',
        '2026-11-19',
        '2026-11-20',
      ];
      const table = await tableOf(
        days.flatMap((date, i) => simulateDay({ seed: 40 + i, day: date }).events),
      );
      const range = `?from=${days[0]}T00:00:00Z&to=2026-11-20T23:59:59Z`;
      const read = async (query: string, maxRuns?: number) => {
        const counting = countingClient(dynamo.endpoint);
        const server = await serveTestTable({ table, client: counting.client, maxRuns });
        try {
          const response = await fetch(withToken(server, `/api/timeline${query}`));
          expect(response.status).toBe(200);
          const view = timelineViewOf((await response.json()) as TimelineResponse);
          return { view, queries: counting.queries.length };
        } finally {
          await server.close();
        }
      };

      const whole = await read(range);
      // Half a day's runs: the range's first hours are more than enough.
      const limit = Math.floor(whole.view.runs.length / days.length / 2);
      const bounded = await read(range, limit);
      const failedOnly = await read(`${range}&status=failed`, limit);

      expect(whole.view.omitted).toBeUndefined();
      // Every hour of the six days in each of 4 shards, the 4 open-run partitions, and the first
      // day's and hour's carries (8).
      expect(whole.queries).toBe(days.length * 24 * 4 + 4 + 8);
      expect(bounded.view.omitted?.complete).toBe(false);
      expect(bounded.view.omitted?.limit).toBe(limit);
      expect(bounded.view.omitted?.runs).toBeGreaterThan(limit);
      expect(bounded.view.omitted?.runs).toBeLessThan(whole.view.runs.length);
      expect(bounded.view.runs).toEqual([]);
      // A shard's hours are read in order, 16 at a time: half a day's worth, and those in flight.
      expect(bounded.queries).toBeLessThan(whole.queries / 4);
      // The status filter needs every run read: the bound counts runs of any status.
      expect(failedOnly.view.omitted?.complete).toBe(false);
    });
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("gives a page on another loopback origin nothing but 403s, and no reads, while the person's web view works", async () => {
      const counting = countingClient(dynamo.endpoint);
      const server = await serveTestTable({ client: counting.client });
      const attacker = await startAttackerPage(server.port, 40);
      const context = await browser.newContext();
      try {
        const view = await context.newPage();
        const errors = collectPageErrors(view);
        await view.goto(server.url);
        await view.waitForSelector('body[data-timeline=ready]');
        expect(view.url()).toBe(server.origin);
        expect(errors).toEqual([]);
        const readsByTheView = counting.queries.length;
        expect(readsByTheView).toBeGreaterThan(0);

        // 127.0.0.1 on another port is the same site (the cookie goes along); localhost is not.
        for (const origin of [
          `http://127.0.0.1:${attacker.port}`,
          `http://localhost:${attacker.port}`,
        ]) {
          const page = await context.newPage();
          const apiRequests = await watchApiRequests(await context.newCDPSession(page));
          await page.goto(`${origin}/`);
          const fired = (await page.evaluate('window.done.then(() => window.fired)')) as string[];
          await sleep(100); // the last network events
          await page.close();
          const seen = apiRequests();

          // Nothing readable: Cross-Origin-Resource-Policy blocks even the 403 (a network error).
          expect(fired).toEqual(Array.from({ length: 40 }, () => 'blocked'));
          expect(seen.map((request) => request.status)).toEqual(
            Array.from({ length: 40 }, () => 403),
          );
          if (origin.includes('127.0.0.1'))
            expect(
              seen.every((request) => request.cookie.includes(`ecslog-session-${server.port}=`)),
            ).toBe(true);
        }
        expect(counting.queries.length).toBe(readsByTheView);
      } finally {
        await context.close();
        await attacker.close();
        await server.close();
      }
    });
  });

  it('says which port is in use when another program has it', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const starting = startWebServer({
        store: {
          reader: createAuditReader({ client: dynamo.client, tableName: 'unused' }),
          description: '',
        },
        assets: loadPageAssets(),
        port,
        now: () => NOW,
        log: () => undefined,
      });
      await expect(starting).rejects.toThrow(PortInUseError);
      await expect(starting).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

/** The session cookie, as a browser gets it from the printed URL. */
async function sessionCookie(server: WebServer): Promise<string> {
  const entry = await fetch(server.url, { redirect: 'manual' });
  expect(entry.status).toBe(303);
  return (entry.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/**
 * A client of the real server that counts (and, with `delayMs`, slows) the Query requests sent
 * through it — the reader's DocumentClient shares its middleware.
 */
function countingClient(endpoint: string, delayMs = 0) {
  const queries: { index?: string }[] = [];
  const client = localClient(endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') {
        queries.push({ index: (args.input as { IndexName?: string }).IndexName });
        if (delayMs > 0) await sleep(delayMs);
      }
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  return { client, queries };
}

/**
 * A page on another loopback origin that fires `count` no-cors GETs at the web view's widest
 * timeline, as the attack did, and leaves their response types in `window.fired`.
 */
async function startAttackerPage(
  webPort: number,
  count: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const html = `<!doctype html><script>
    window.fired = [];
    window.done = Promise.all(Array.from({ length: ${count} }, () =>
      fetch('http://127.0.0.1:${webPort}/api/timeline?since=399d', { mode: 'no-cors', credentials: 'include' })
        .then((r) => window.fired.push(r.type), () => window.fired.push('blocked'))));
  </script>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The API requests a page sends, with the status the server answered and the cookie sent, from
 * Chromium's network events: a response blocked by the browser reaches no page event.
 */
async function watchApiRequests(
  cdp: CDPSession,
): Promise<() => { url: string; status?: number; cookie: string }[]> {
  const requests = new Map<string, { url: string; status?: number; cookie: string }>();
  const of = (id: string) => requests.get(id) ?? { url: '', cookie: '' };
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
    if (new URL(request.url).pathname === '/api/timeline')
      requests.set(requestId, { ...of(requestId), url: request.url });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', ({ requestId, headers }) => {
    requests.set(requestId, { ...of(requestId), cookie: String(headers['Cookie'] ?? '') });
  });
  cdp.on('Network.responseReceivedExtraInfo', ({ requestId, statusCode }) => {
    requests.set(requestId, { ...of(requestId), status: statusCode });
  });
  await cdp.send('Network.enable');
  return () => [...requests.values()].filter((request) => request.url !== '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `path` of the web view, with the session's token added to its query. */
function withToken(server: WebServer, path: string): URL {
  const url = new URL(path, server.origin);
  url.searchParams.set('token', server.token);
  return url;
}

/** fetch() will not send a Host header of our choosing; node:http will. */
async function rawGet(port: number, path: string, host: string): Promise<{ status: number }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A task state change of `template` (a STOPPED task of the simulated day) for task `taskId`:
 * RUNNING since `start`, or STOPPED at `stop`.
 */
function taskEventOf(
  template: Record<string, unknown>,
  taskId: string,
  lastStatus: 'RUNNING' | 'STOPPED',
  start: string,
  stop?: string,
): Record<string, unknown> {
  const text = JSON.stringify(template);
  const oldId = /task\/[\w-]+\/([0-9a-f]{32})/.exec(text)?.[1] as string;
  const event = JSON.parse(text.replaceAll(oldId, taskId)) as Record<string, unknown>;
  const detail = event['detail'] as Record<string, unknown>;
  const ms = (iso: string, plus: number) => new Date(Date.parse(iso) + plus).toISOString();
  const time = stop ?? ms(start, 15_000);
  Object.assign(detail, {
    lastStatus,
    desiredStatus: lastStatus === 'RUNNING' ? 'RUNNING' : 'STOPPED',
    createdAt: start,
    connectivityAt: ms(start, 500),
    pullStartedAt: ms(start, 1_000),
    pullStoppedAt: ms(start, 10_000),
    startedAt: ms(start, 12_000),
    updatedAt: time,
    version: lastStatus === 'RUNNING' ? 2 : 3,
  });
  if (lastStatus === 'RUNNING')
    for (const name of [
      'stopCode',
      'stoppedAt',
      'stoppedReason',
      'stoppingAt',
      'executionStoppedAt',
    ])
      delete detail[name];
  else Object.assign(detail, { stoppingAt: stop, executionStoppedAt: stop, stoppedAt: stop });
  for (const container of detail['containers'] as Record<string, unknown>[]) {
    container['lastStatus'] = lastStatus;
    if (lastStatus === 'RUNNING') delete container['exitCode'];
  }
  event['id'] = `00000000-0000-4000-8000-${taskId.slice(0, 11)}${lastStatus === 'RUNNING' ? 1 : 2}`;
  event['time'] = time.replace(/\.\d{3}Z$/, 'Z');
  return event;
}
