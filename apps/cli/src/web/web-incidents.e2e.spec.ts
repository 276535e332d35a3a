/**
 * The web view's incidents panel end to end, in headless Chromium: the page served over a store
 * in dynalite that a simulated day and a task with a hostile stop reason went into through the
 * ingest code, with the notifier observing every record stored (as local mode's does) and its
 * clock's check once at the end of the day, and the incidents read by the notifier's reader. The
 * panel lists what the reader answers, open ones first, each told in words; the day's expected
 * incidents are there; an empty range says so; the hostile stop reason is text with its control
 * and bidi characters escaped; the buttons open an incident's last run — on the timeline, by its
 * task when the view does not draw it — or a missed run's family around the moment
 * (reports/screenshots/web-incidents.png).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { Incident } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG } from '@ecslog/incidents';
import type { Notifier } from '@ecslog/notifier';
import { createFileDeadLetters, createIncidentReader, createNotifier } from '@ecslog/notifier';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { simulateDay } from '@ecslog/simulator';
import { visibleText } from '../output/visible-text';
import { createEventIngest } from '../pipeline/event-ingest';
import { collectPageErrors, launchChromium } from '../testing/headless-chromium';
import {
  HOSTILE_CLUSTER,
  HOSTILE_TASK_ID,
  HOSTILE_TEXT,
  hostileEvents,
  RAW_CONTROLS,
} from '../testing/hostile-events';
import { REPO_ROOT } from '../testing/run-ecslog';
import { incidentsOf, incidentsRequestOf } from './incidents-request';
import { loadPageAssets } from './page-assets';
import type { WebServer } from './web-server';
import { startWebServer } from './web-server';

jest.setTimeout(120_000);

const NOW = Date.parse('2026-11-21T00:00:00.000Z');
const DAY = '?from=2026-11-20T00:00:00.000Z&to=2026-11-20T23:59:59.999Z';
const HOSTILE_START = Date.parse('2026-11-20T22:00:00.000Z');
const HOSTILE_TASK_ARN = `arn:aws:ecs:eu-west-1:111122223333:task/${HOSTILE_CLUSTER}/${HOSTILE_TASK_ID}`;

/** A writer that hands the records it stored to the notifier, as local mode's ingest does. */
function observedWriter(writer: AuditWriter, notifier: Pick<Notifier, 'observe'>): AuditWriter {
  return {
    writeRecords: async (records) => {
      const results = await writer.writeRecords(records);
      const written = new Set(
        results.filter((result) => result.status === 'written').map((result) => result.recordId),
      );
      await notifier.observe(
        records
          .filter((record) => written.has(record.recordId))
          .map((record) => ({ record, origin: 'live' as const })),
      );
      return results;
    },
    closeRun: (taskId, closure) => writer.closeRun(taskId, closure),
  };
}

describe('web view incidents panel (headless Chromium, the notifier over dynalite)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-web-incidents-'));
  const day = simulateDay({ seed: 3, day: '2026-11-20' });
  let dynamo: LocalDynamoDb;
  let incidents: Incident[];
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dynamo = await startDynalite();
    const tableName = await createAuditTable(dynamo.client);
    const notifier = createNotifier({
      client: dynamo.client,
      tableName,
      config: DEFAULT_NOTIFY_CONFIG,
      channels: [],
      deadLetters: createFileDeadLetters(join(home, 'dead-letters.ndjson')),
      now: () => NOW,
    });
    const lake = createLocalLakeWriter({ root: join(home, 'lake') });
    const ingest = createEventIngest({
      writer: observedWriter(
        createAuditWriter({ client: dynamo.client, tableName, retentionDays: 30, now: () => NOW }),
        notifier,
      ),
      quarantine: { hold: async () => undefined },
      lake,
      report: () => undefined,
      batchSize: 100,
      pause: async () => undefined,
    });
    const events = [...day.events, ...hostileEvents(HOSTILE_START)];
    const summary = await ingest(events.map((value, i) => ({ position: `e:${i + 1}`, value })));
    await lake.close();
    expect(summary.unwritten).toEqual([]);
    await notifier.tick();
    const reader = createIncidentReader({ client: dynamo.client, tableName, now: () => NOW });
    incidents = incidentsOf(
      await reader.listIncidents({
        since: '2026-11-20T00:00:00.000Z',
        to: '2026-11-20T23:59:59.999Z',
      }),
      incidentsRequestOf(new URLSearchParams(DAY), NOW),
    );
    web = await startWebServer({
      store: {
        reader: createAuditReader({ client: dynamo.client, tableName, now: () => NOW }),
        description: 'the test table',
      },
      incidents: reader,
      assets: loadPageAssets(),
      port: 0,
      now: () => NOW,
      log: () => undefined,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await dynamo?.stop();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    errors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  async function open(search: string): Promise<void> {
    const entered = (await page.context().cookies()).length > 0;
    const link = new URL(entered ? web.origin : web.url);
    for (const [name, value] of new URLSearchParams(search)) link.searchParams.set(name, value);
    await page.goto(link.toString());
    await page.waitForSelector('body[data-timeline=ready][data-incidents=ready]', {
      timeout: 60_000,
    });
  }
  const panel = () => page.getByRole('complementary').locator('#incidents');
  const items = () => panel().getByRole('list').getByRole('listitem');
  const itemOf = (incident: Incident) =>
    panel().locator(`li[data-incident="${incident.id}#${incident.episode}"]`);
  const find = (kind: string, group: string) =>
    incidents.find((i) => i.key.kind === kind && i.key.group === group) as Incident;

  it("lists the reader's incidents of the range, open ones first, the day's expected ones among them", async () => {
    await open(DAY);

    const open1 = incidents.filter((i) => i.status === 'open').length;
    await expect(panel().getByRole('heading', { level: 2 }).textContent()).resolves.toBe(
      `Incidents (${open1} open, ${incidents.length - open1} resolved)`,
    );
    const listed = await items().evaluateAll((elements) =>
      elements.map((element) => element.getAttribute('data-incident')),
    );
    expect(listed).toEqual(incidents.map((i) => `${i.id}#${i.episode}`));
    // The simulated day's incidents, each with the status it has once the day is in.
    for (const expected of day.expected.incidents) {
      const told = incidents.find(
        (i) =>
          i.key.kind === expected.kind &&
          i.key.clusterName === expected.cluster &&
          i.key.group === expected.group &&
          i.key.category === expected.category,
      );
      expect([expected, told?.status]).toEqual([expected, expected.resolved ? 'resolved' : 'open']);
    }
    // Told in words: the out-of-memory job's incident.
    const oom = find('failure', 'family:invoice-export');
    const text = await itemOf(oom).textContent();
    expect(text).toContain('resolved failure: out-of-memory');
    expect(text).toContain(`family:invoice-export in batch · ${oom.failedRuns} failed run`);
    expect(text).toMatch(/opened 2026-11-20 \d\d:\d\d:\d\d \(\d+d\d\dh ago\), lasted \d/);
    expect(text).toContain(oom.first.summary);
    const missed = find('missed-run', 'family:metrics-export');
    await expect(itemOf(missed).textContent()).resolves.toContain('open missed scheduled run');
    await expect(itemOf(missed).textContent()).resolves.toContain(missed.detail as string);
    expect(errors).toEqual([]);

    mkdirSync(join(REPO_ROOT, 'reports/screenshots'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'reports/screenshots/web-incidents.png') });
  });

  it('says so when the range has no incidents, and asks again when the range changes', async () => {
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/incidents') asked.push(url.search);
    });
    await open('?from=2026-11-10T00:00:00.000Z&to=2026-11-11T00:00:00.000Z');

    await expect(panel().textContent()).resolves.toBe(
      'Incidents (0 open, 0 resolved)No incidents in this range.',
    );
    await page.selectOption('#filters select[name=range]', '3d');
    await page.waitForSelector('body[data-incidents=ready] #incidents li.incident');
    expect(asked).toEqual([
      '?from=2026-11-10T00%3A00%3A00.000Z&to=2026-11-11T00%3A00%3A00.000Z',
      '?since=3d',
    ]);
    expect(errors).toEqual([]);
  });

  it('shows the hostile stop reason as text, escaped, cut to a line and whole in its expander', async () => {
    const hostile = incidents.find(
      (i) => i.key.clusterName === HOSTILE_CLUSTER && i.first.stoppedReason,
    );
    expect(hostile?.first.stoppedReason).toBe(HOSTILE_TEXT);
    await open(DAY);
    const reason = itemOf(hostile as Incident).locator('details.incident-reason');

    await reason.locator('summary').click();

    const text = await page.evaluate(() => {
      const doc = Object(globalThis).document as {
        querySelector(selector: string): { textContent: string; innerText: string } | null;
        querySelectorAll(selector: string): { getAttribute(name: string): string | null }[];
      };
      const section = doc.querySelector('#incidents');
      const attributes = [
        ...doc.querySelectorAll('#incidents [title], #incidents [aria-label]'),
      ].flatMap((element) => [
        element.getAttribute('title') ?? '',
        element.getAttribute('aria-label') ?? '',
      ]);
      return [section?.textContent, section?.innerText, ...attributes].join('\n');
    });
    expect(text).not.toMatch(RAW_CONTROLS);
    // Whole, as the CLI shows it: every control character written out, backslashes doubled.
    const shown = await reason.locator('.reason-full').textContent();
    expect(shown).toBe(visibleText(HOSTILE_TEXT));
    expect(shown).toContain('\\x1b[2J');
    expect(shown).toContain('\\rall tasks succeeded\\u202edesab');
    await expect(reason.locator('summary').getAttribute('title')).resolves.toContain(
      '\\u202edesab',
    );
    await expect(reason.locator('.reason-full').isVisible()).resolves.toBe(true);
    // Nothing of it became markup: the panel holds only the elements the page makes.
    await expect(panel().locator('a, script, img, iframe, style').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it('opens the last run of an incident: on the timeline when it is drawn, else by its task', async () => {
    const hostile = incidents.find((i) => i.last.runId === HOSTILE_TASK_ARN) as Incident;
    await open(DAY);
    const button = itemOf(hostile).getByRole('button', {
      name: `Show the last failed run of service:web in ${HOSTILE_CLUSTER}: ${HOSTILE_TASK_ID}`,
    });

    await button.click();
    await page.waitForSelector(`#details[data-run="${HOSTILE_TASK_ARN}"] h2`);

    expect(new URL(page.url()).searchParams.get('run')).toBe(HOSTILE_TASK_ARN);
    await expect(page.locator('#details h2').textContent()).resolves.toBe(
      `Task ${HOSTILE_TASK_ID}`,
    );

    // A view that does not draw it (only succeeded runs): the task's own timeline.
    await open(`${DAY}&status=succeeded`);
    await button.click();
    await page.waitForFunction(
      (arn) => Object(globalThis).document.querySelector('#details')?.dataset?.run === arn,
      HOSTILE_TASK_ARN,
    );
    const link = new URL(page.url()).searchParams;
    expect(link.get('q')).toBe(HOSTILE_TASK_ID);
    expect(link.get('run')).toBe(HOSTILE_TASK_ARN);
    await page.waitForSelector('body[data-timeline=ready]');
    await expect(page.locator('#details h2').textContent()).resolves.toBe(
      `Task ${HOSTILE_TASK_ID}`,
    );
    expect(errors).toEqual([]);
  });

  it("opens a placement failure's run that never started, and a missed run's family around it", async () => {
    const placement = find('failure', 'family:reindex');
    const missed = find('missed-run', 'family:metrics-export');
    await open(DAY);

    await itemOf(placement)
      .getByRole('button', {
        name: /^Show the last failed run of family:reindex in batch: never started/,
      })
      .click();
    await page.waitForSelector(`#details[data-run="${placement.last.runId}"] h2`);
    await expect(page.locator('#details h2').textContent()).resolves.toBe('Never started');

    await itemOf(missed)
      .getByRole('button', {
        name: /^Show family:metrics-export in batch around .* on the timeline$/,
      })
      .click();
    await page.waitForFunction(
      () => new URL(String(Object(globalThis).location.href)).searchParams.get('group') !== null,
    );
    await page.waitForSelector('body[data-timeline=ready]');
    const link = new URL(page.url()).searchParams;
    const at = Date.parse(missed.last.at);
    expect([link.get('cluster'), link.get('group'), link.get('run')]).toEqual([
      'batch',
      'family:metrics-export',
      null,
    ]);
    expect([Date.parse(link.get('from') as string), Date.parse(link.get('to') as string)]).toEqual([
      at - 3 * 3_600_000,
      at + 3_600_000,
    ]);
    // The family's runs before the one that did not come are on the timeline.
    const groups = await page.evaluate(() =>
      (Object(globalThis).ecslog as { timeline(): { runs: { group: string }[] } | undefined })
        .timeline()
        ?.runs.map((run) => run.group),
    );
    expect(groups?.length).toBeGreaterThan(0);
    expect(new Set(groups)).toEqual(new Set(['family:metrics-export']));
    expect(errors).toEqual([]);
  });
});
