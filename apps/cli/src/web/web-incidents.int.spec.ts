/**
 * The web view's incidents answer through real HTTP: refused without the session as every API
 * request is, the incidents of the filters' range (open ones first) with its `Server-Timing`, and
 * a one-line 400 for parameters it cannot read — before anything is read.
 */
import { createAuditReader } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { Incident } from '@ecslog/incidents';
import type { IncidentReader } from '@ecslog/notifier';
import { createIncidentReader } from '@ecslog/notifier';
import type { ErrorResponse, IncidentsResponse } from './api-types';
import { incidentsOfTheDay } from './incident-fixtures';
import { loadPageAssets } from './page-assets';
import type { WebServer } from './web-server';
import { startWebServer } from './web-server';

jest.setTimeout(60_000);

type Query = Parameters<IncidentReader['listIncidents']>[0];

describe('web view incidents (dynalite, loopback HTTP)', () => {
  const NOW = Date.parse('2026-11-21T00:00:00.000Z');
  const DAY = 'from=2026-11-20T00:00:00Z&to=2026-11-20T23:59:59.999Z';
  const day = incidentsOfTheDay();
  const asked: Query[] = [];
  const logged: string[] = [];
  /** A reader that answers from a list, as the notifier's would (newest first). */
  const listReader: IncidentReader = {
    listIncidents: async (query) => {
      asked.push(query);
      return [...day].sort((a, b) => b.openedAt.localeCompare(a.openedAt));
    },
  };
  let dynamo: LocalDynamoDb;
  let web: WebServer;

  /** The web view over a new empty table; `incidents` gets the table's name. */
  const serve = async (incidents?: (tableName: string) => IncidentReader) => {
    const tableName = await createAuditTable(dynamo.client);
    return startWebServer({
      store: {
        reader: createAuditReader({ client: dynamo.client, tableName, now: () => NOW }),
        description: 'the test table',
      },
      assets: loadPageAssets(),
      port: 0,
      now: () => NOW,
      log: (line) => logged.push(line),
      ...(incidents && { incidents: incidents(tableName) }),
    });
  };
  const get = (path: string, server = web, init?: RequestInit) => {
    const url = new URL(path, server.origin);
    url.searchParams.set('token', server.token);
    return fetch(url, init);
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
    web = await serve(() => listReader);
  });
  afterAll(async () => {
    await web?.close();
    await dynamo?.stop();
  });
  beforeEach(() => {
    asked.length = 0;
  });

  it('refuses without the session, as every API request, and reads nothing', async () => {
    const bare = await fetch(new URL('/api/incidents', web.origin));
    const wrongToken = await fetch(`${web.origin}api/incidents?token=${'A'.repeat(43)}`);
    const otherSite = await fetch(new URL('/api/incidents', web.origin), {
      headers: { 'x-ecslog-page': '1', 'sec-fetch-site': 'cross-site' },
    });

    expect(bare.status).toBe(403);
    expect(((await bare.json()) as ErrorResponse).error).toMatch(/^no session: /);
    expect(wrongToken.status).toBe(403);
    expect(otherSite.status).toBe(403);
    expect(asked).toEqual([]);
  });

  it("answers the range's incidents, open ones first, with what reading them took", async () => {
    const response = await get(`/api/incidents?${DAY}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('server-timing')).toMatch(/^incidents;dur=\d+\.\d, read;desc="5"$/);
    const body = (await response.json()) as IncidentsResponse;
    expect(asked).toEqual([{ since: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' }]);
    expect(body.range).toEqual({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-20T23:59:59.999Z',
    });
    expect(body.store).toBe('the test table');
    expect(body.incidents.map((i) => `${i.status} ${i.key.kind} ${i.key.group}`)).toEqual([
      'open missed-run family:hourly-sync',
      'open failure service:web',
      'resolved failure service:worker',
      'resolved crash-loop service:api',
      'resolved failure family:nightly-report',
    ]);
    // Each incident as the reader gave it, whole.
    const web1 = day.find((i) => i.key.group === 'service:web') as Incident;
    expect(body.incidents[1]).toEqual(web1);
  });

  it("asks the reader for the open ones only with open=1, kept to the page's filters", async () => {
    const response = await get(`/api/incidents?since=2d&cluster=prod-web&open=1`);

    expect(response.status).toBe(200);
    const body = (await response.json()) as IncidentsResponse;
    expect(asked).toEqual([
      { open: true, since: '2026-11-19T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
    ]);
    expect(body.incidents.map((i) => i.key.group)).toEqual(['service:web']);
  });

  it('says there are none in a range without incidents', async () => {
    const response = await get('/api/incidents?from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z');

    expect(response.status).toBe(200);
    expect(((await response.json()) as IncidentsResponse).incidents).toEqual([]);
  });

  it.each([
    ['open=yes', 'open must be 1 (open incidents only) or 0, got "yes"'],
    ['status=failed', 'unknown parameter "status": use cluster, group, since, from, to, open'],
    ['group=web', 'group must be service:NAME or family:NAME, got "web"'],
    ['since=6h&from=2026-11-20', 'use either since or from/to, not both'],
  ])('refuses %s with 400 and one line naming it, reading nothing', async (query, message) => {
    const response = await get(`/api/incidents?${query}`);

    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorResponse;
    expect(error).toBe(message);
    expect(error).not.toContain('\n');
    expect(asked).toEqual([]);
  });

  it("reads a table's incidents with the notifier's reader: none in a table without any", async () => {
    const real = await serve((tableName) =>
      createIncidentReader({ client: dynamo.client, tableName, now: () => NOW }),
    );
    try {
      const response = await get(`/api/incidents?${DAY}`, real);

      expect(response.status).toBe(200);
      expect(response.headers.get('server-timing')).toMatch(/, read;desc="0"$/);
      expect(((await response.json()) as IncidentsResponse).incidents).toEqual([]);
    } finally {
      await real.close();
    }
  });

  it('answers no incidents, and says why, when the view was started without a reader', async () => {
    const bare = await serve();
    try {
      const response = await get('/api/incidents?since=1h', bare);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        incidents: [],
        range: { from: '2026-11-20T23:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
        store: 'the test table',
        unavailable: 'this web view was started without a reader of incidents',
      });
    } finally {
      await bare.close();
    }
  });

  it('answers 500 and logs one line when the reader fails', async () => {
    const failing = await serve(() => ({
      listIncidents: async () => {
        throw new Error('ResourceNotFoundException: Requested resource not found');
      },
    }));
    try {
      const response = await get('/api/incidents?since=1h', failing);

      expect(response.status).toBe(500);
      expect(((await response.json()) as ErrorResponse).error).toBe(
        'Error: ResourceNotFoundException: Requested resource not found',
      );
      expect(logged.at(-1)).toBe(
        'web view: /api/incidents?since=1h&token=…: Error: ResourceNotFoundException: Requested resource not found',
      );
    } finally {
      await failing.close();
    }
  });
});
