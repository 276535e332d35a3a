/**
 * The web view's server over a simulated day in dynalite, through real HTTP: the page and its
 * script, the timeline of each filter, a task's history, and every way a request is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { simulateDay } from '@ecslog/simulator';
import { createEventIngest } from '../pipeline/event-ingest';
import type { ErrorResponse, TaskHistoryResponse, TimelineResponse } from './api-types';
import { loadPageAssets } from './page-assets';
import type { WebServer } from './web-server';
import { PortInUseError, startWebServer } from './web-server';

jest.setTimeout(60_000);

describe('web view server (dynalite, simulated day)', () => {
  const NOW = Date.parse('2026-11-21T00:00:00.000Z');
  const day = simulateDay({ seed: 3, day: '2026-11-20' });
  const logged: string[] = [];
  let dynamo: LocalDynamoDb;
  let lakeDir: string;
  let web: WebServer;
  let tableName: string;

  /** The web view over the test table, on any free port. */
  const serveTestTable = (options: { maxRuns?: number } = {}) =>
    startWebServer({
      store: {
        reader: createAuditReader({ client: dynamo.client, tableName, now: () => NOW }),
        description: 'the test table',
      },
      assets: loadPageAssets(),
      port: 0,
      now: () => NOW,
      log: (line) => logged.push(line),
      ...options,
    });

  beforeAll(async () => {
    dynamo = await startDynalite();
    lakeDir = mkdtempSync(join(tmpdir(), 'ecslog-web-'));
    tableName = await createAuditTable(dynamo.client);
    const lake = createLocalLakeWriter({ root: lakeDir });
    const ingest = createEventIngest({
      writer: createAuditWriter({
        client: dynamo.client,
        tableName,
        retentionDays: 30,
        now: () => NOW,
      }),
      quarantine: { hold: async () => undefined },
      lake,
      report: () => undefined,
      batchSize: 100,
      pause: async () => undefined,
    });
    const summary = await ingest(
      day.events.map((value, i) => ({ position: `day:${i + 1}`, value })),
    );
    await lake.close();
    expect(summary.unwritten).toEqual([]);
    web = await serveTestTable();
  });
  afterAll(async () => {
    await web?.close();
    await dynamo?.stop();
    rmSync(lakeDir, { recursive: true, force: true });
  });

  const get = (path: string, init?: RequestInit) => fetch(new URL(path, web.url), init);
  async function timeline(query = ''): Promise<TimelineResponse> {
    const response = await get(`/api/timeline${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as TimelineResponse;
  }
  async function refusal(path: string, status: number): Promise<string> {
    const response = await get(path);
    expect(response.status).toBe(status);
    return ((await response.json()) as ErrorResponse).error;
  }

  it('listens on 127.0.0.1 only', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the page, its style and its bundled script, with a strict content security policy', async () => {
    const page = await get('/');
    const script = await get('/app.js');
    const css = await get('/app.css');

    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<section id="timeline"');
    expect(html).toContain('<script src="/app.js" defer></script>');
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'self'/,
    );
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // ECharts is bundled in, not loaded from elsewhere.
    expect((await script.text()).length).toBeGreaterThan(100_000);
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
    expect(batch.choices.groups.every((g) => g.clusterName === 'batch')).toBe(true);
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

  it('sends no runs, but their count and the filters, for a view larger than a timeline carries', async () => {
    const all = await timeline();
    const small = await serveTestTable({ maxRuns: all.runs.length - 1 });
    try {
      const view = (await (await fetch(`${small.url}api/timeline`)).json()) as TimelineResponse;
      const narrowed = (await (
        await fetch(`${small.url}api/timeline?group=service:web`)
      ).json()) as TimelineResponse;

      expect(view.omitted).toEqual({ runs: all.runs.length, limit: all.runs.length - 1 });
      expect(view.runs).toEqual([]);
      expect(view.rows).toEqual([]);
      expect(view.choices).toEqual(all.choices);
      expect(narrowed.omitted).toBeUndefined();
      expect(narrowed.runs.length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
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
    const rebound = await rawGet(web.port, '/api/timeline', 'attacker.example:80');
    expect(rebound.status).toBe(421);
    expect((await rawGet(web.port, '/', `localhost:${web.port}`)).status).toBe(200);
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
