/**
 * The web view's incidents panel end to end, in headless Chromium: the page served over a store
 * in dynalite (events through the ingest code) with its incidents, open ones first, each told in
 * words; an empty range says so; a hostile stop reason is shown as text with its control and
 * bidi characters escaped; "Show last run" opens the incident's last run — on the timeline, or
 * by its task when the view does not draw it (reports/screenshots/web-incidents.png).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { Incident } from '@ecslog/incidents';
import type { IncidentReader } from '@ecslog/notifier';
import { createLocalLakeWriter } from '@ecslog/local-lake';
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
import { visibleText } from '../output/visible-text';
import { failedRunOf, incidentOf, incidentsOfTheDay } from './incident-fixtures';
import { loadPageAssets } from './page-assets';
import type { WebServer } from './web-server';
import { startWebServer } from './web-server';

jest.setTimeout(120_000);

const NOW = Date.parse('2026-11-21T00:00:00.000Z');
const DAY = '?from=2026-11-20T00:00:00.000Z&to=2026-11-20T23:59:59.999Z';
const HOSTILE_START = Date.parse('2026-11-20T22:00:00.000Z');

/** The hostile task's failure (its events start at 22:00, it stops at 22:10), still open. */
function hostileIncident(): Incident {
  const run = failedRunOf(
    HOSTILE_CLUSTER,
    HOSTILE_TASK_ID,
    '2026-11-20T22:10:00.000Z',
    'essential-container-exited',
    {
      summary: `container app exited with code 1: ${HOSTILE_TEXT}`,
      stoppedReason: HOSTILE_TEXT,
      stopCode: 'EssentialContainerExited',
      exitCodes: [{ container: 'app', exitCode: 1 }],
      startedBy: 'ecs-svc/1234567890123456789',
    },
  );
  return incidentOf(
    {
      clusterName: HOSTILE_CLUSTER,
      group: 'service:web',
      kind: 'failure',
      category: 'essential-container-exited',
    },
    { first: run },
  );
}

describe('web view incidents panel (headless Chromium)', () => {
  const lakeDir = mkdtempSync(join(tmpdir(), 'ecslog-web-incidents-'));
  const incidents = [hostileIncident(), ...incidentsOfTheDay()];
  const reader: IncidentReader = {
    listIncidents: async () => [...incidents].sort((a, b) => b.openedAt.localeCompare(a.openedAt)),
  };
  let dynamo: LocalDynamoDb;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dynamo = await startDynalite();
    const tableName = await createAuditTable(dynamo.client);
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
    const events = hostileEvents(HOSTILE_START);
    const summary = await ingest(events.map((value, i) => ({ position: `e:${i + 1}`, value })));
    await lake.close();
    expect(summary.unwritten).toEqual([]);
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
    rmSync(lakeDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    errors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  async function open(search: string): Promise<void> {
    const link = new URL(web.url);
    for (const [name, value] of new URLSearchParams(search)) link.searchParams.set(name, value);
    await page.goto(link.toString());
    await page.waitForSelector('body[data-timeline=ready][data-incidents=ready]');
  }
  const panel = () => page.getByRole('complementary').locator('#incidents');
  const items = () => panel().getByRole('list').getByRole('listitem');

  it('lists the range’s incidents, open ones first, each told in words', async () => {
    await open(DAY);

    await expect(panel().getByRole('heading', { level: 2 }).textContent()).resolves.toBe(
      'Incidents (3 open, 3 resolved)',
    );
    const listed = await items().evaluateAll((elements) =>
      elements.map((element) => element.getAttribute('data-status')),
    );
    expect(listed).toEqual(['open', 'open', 'open', 'resolved', 'resolved', 'resolved']);
    const web1 = items().filter({ hasText: 'service:web in prod-web' });
    const webText = await web1.textContent();
    expect(webText).toContain('open failure: essential-container-exited');
    expect(webText).toContain('7 failed runs');
    expect(webText).toContain('opened 2026-11-20 14:20:05, open for ');
    expect(webText).toContain('container web exited with code 1');
    const oom = await items().filter({ hasText: 'family:nightly-report' }).textContent();
    expect(oom).toContain('resolved failure: out-of-memory');
    expect(oom).toContain('2 failed runs');
    expect(oom).toContain('lasted 58m49s: the next run succeeded');
    const missed = await items().filter({ hasText: 'family:hourly-sync' }).textContent();
    expect(missed).toContain('missed scheduled run');
    expect(missed).toContain('hourly at :05, none since 16:05 (40 min overdue)');
    const placement = items().filter({ hasText: 'service:worker' });
    await expect(placement.textContent()).resolves.toContain('Reason RESOURCE:MEMORY');
    await expect(
      placement
        .getByRole('button', {
          name: /^Show the last failed run of service:worker in prod-web: never started \(RESOURCE:MEMORY\)$/,
        })
        .count(),
    ).resolves.toBe(1);
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
    await page.selectOption('#filters select[name=range]', '7d');
    await page.waitForFunction(() =>
      /Incidents \(3 open/.test(
        String(Object(globalThis).document.querySelector('#incidents')?.textContent),
      ),
    );
    expect(asked).toEqual([
      '?from=2026-11-10T00%3A00%3A00.000Z&to=2026-11-11T00%3A00%3A00.000Z',
      '?since=7d',
    ]);
    expect(errors).toEqual([]);
  });

  it('shows a hostile stop reason as text, escaped, cut to a line and whole in its expander', async () => {
    await open(DAY);
    const hostile = items().filter({ hasText: `service:web in ${HOSTILE_CLUSTER}` });
    const reason = hostile.locator('details.incident-reason');

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
    // Nothing of it became markup: the panel's elements are the ones the page makes.
    await expect(panel().locator('a, script, img, iframe').count()).resolves.toBe(0);
    await expect(reason.locator('.reason-full').isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
  });

  it('opens the last run of an incident: on the timeline when it is drawn, else by its task', async () => {
    const taskArn = hostileIncident().last.runId;
    await open(DAY);
    const button = items()
      .filter({ hasText: `service:web in ${HOSTILE_CLUSTER}` })
      .getByRole('button', {
        name: `Show the last failed run of service:web in ${HOSTILE_CLUSTER}: ${HOSTILE_TASK_ID}`,
      });

    await button.click();
    await page.waitForSelector(`#details[data-run="${taskArn}"] h2`);

    expect(new URL(page.url()).searchParams.get('run')).toBe(taskArn);
    await expect(page.locator('#details h2').textContent()).resolves.toBe(
      `Task ${HOSTILE_TASK_ID}`,
    );

    // A view that does not draw it (only succeeded runs): the task's own timeline.
    await open(`${DAY}&status=succeeded`);
    await button.click();
    await page.waitForFunction(
      (arn) => Object(globalThis).document.querySelector('#details')?.dataset?.run === arn,
      taskArn,
    );
    const link = new URL(page.url()).searchParams;
    expect(link.get('q')).toBe(HOSTILE_TASK_ID);
    expect(link.get('run')).toBe(taskArn);
    await page.waitForSelector('body[data-timeline=ready]');
    await expect(page.locator('#details h2').textContent()).resolves.toBe(
      `Task ${HOSTILE_TASK_ID}`,
    );
    expect(errors).toEqual([]);
  });
});
