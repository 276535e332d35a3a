/**
 * The web view's search and provenance end to end, in headless Chromium over `ecslog ui` (the
 * real binary) and events ingested with `ecslog ingest`: the search box finds the runs that held
 * an address (not the later task that got it again), ran an image, or — by task id — the task
 * itself; the details show its provenance (digests, addresses, ENI, host and EC2 instance), the
 * digest drift of its deployment and the churn kind of its stop; drifted runs are marked on the
 * timeline (reports/screenshots/web-search.png).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TimelineView } from './api-types';
import { collectPageErrors, launchChromium } from '../testing/headless-chromium';
import { RAW_CONTROLS } from '../testing/hostile-events';
import {
  DIGEST_AFTER,
  DIGEST_BEFORE,
  EC2_INSTANCE_ID,
  FIRST,
  ON_HOST_TASK_ID,
  provenanceEvents,
  REUSED_ADDRESS,
  SECOND,
  THIRD,
  WEB_IMAGE,
} from '../testing/provenance-events';
import type { RunningEcslog } from '../testing/run-ecslog';
import { REPO_ROOT, runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

const DAY = '?from=2026-11-20T00:00:00.000Z&to=2026-11-20T23:59:59.999Z';
const arnOf = (taskId: string) => `arn:aws:ecs:eu-west-1:111122223333:task/prod-web/${taskId}`;

describe('web view search and provenance (headless Chromium)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-web-search-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  let ui: RunningEcslog | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let url: string;

  beforeAll(async () => {
    const events = provenanceEvents();
    const ingest = await runEcslog(
      ['ingest', '-'],
      events.map((event) => JSON.stringify(event)).join('\n'),
      env,
    );
    expect(ingest.status).toBe(0);
    ui = startEcslog(['ui', '--port', '0', '--no-open'], env);
    url = /^ecslog web view: (\S+)/m.exec(await ui.waitForOutput(/Ctrl-C stops it/))?.[1] as string;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await (browser as Browser).newPage({ viewport: { width: 1500, height: 1000 } });
    errors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  async function open(search: string): Promise<void> {
    await page.goto(linkTo(url, search));
    await page.waitForSelector('body[data-timeline=ready]');
  }
  /** Types `text` into the search box and submits it, as a person does. */
  async function searchFor(text: string, ready = 'ready'): Promise<void> {
    await page.fill('#search input[name=q]', text);
    await page.click('#search button[type=submit]');
    await page.waitForFunction(
      ([wanted, state]) =>
        new URL(String(Object(globalThis).location.href)).searchParams.get('q') === wanted &&
        Object(globalThis).document.body.dataset.timeline === state,
      [text, ready] as const,
    );
  }
  const shownTaskIds = () =>
    page.evaluate(() =>
      (
        (Object(globalThis).ecslog as { timeline(): TimelineView | undefined }).timeline()?.runs ??
        []
      ).map((run) => run.taskId),
    );
  /** Names of the chart's drawn elements, counted. */
  const drawnNames = () =>
    page.evaluate(() => {
      const chart = (
        Object(globalThis).ecslog as {
          chart: { getZr(): { storage: { getDisplayList(update: boolean): { name?: string }[] } } };
        }
      ).chart;
      const counts: Record<string, number> = {};
      for (const element of chart.getZr().storage.getDisplayList(true))
        if (element.name) counts[element.name] = (counts[element.name] ?? 0) + 1;
      return counts;
    });
  async function openDetails(runId: string): Promise<string> {
    await page.waitForSelector(`#details[data-loaded="${runId}"]`);
    return (await page.locator('#details').textContent()) ?? '';
  }

  it('marks the runs of a deployment that ran two digests of one tag, and says so', async () => {
    await open(DAY);

    expect(await drawnNames()).toMatchObject({ 'digest-drift': 3 });
    await expect(page.locator('#status-line').textContent()).resolves.toMatch(
      /^4 task runs \(3 with digest drift \(1 image reference\)\) between/,
    );
    expect(errors).toEqual([]);
  });

  it('finds by address the task that held it, with the address matched, in the URL', async () => {
    await open(DAY);

    await searchFor(REUSED_ADDRESS);

    expect(await shownTaskIds()).toEqual([FIRST.taskId, THIRD.taskId]);
    await expect(page.locator('#status-line').textContent()).resolves.toMatch(
      new RegExp(`^2 task runs at address ${REUSED_ADDRESS.replaceAll('.', '\\.')} \\(`),
    );
    // The search and the range stay in the link: it shows the same view.
    await open(`${DAY}&q=${REUSED_ADDRESS}&run=${encodeURIComponent(arnOf(THIRD.taskId))}`);
    const details = await openDetails(arnOf(THIRD.taskId));
    expect(details).toContain(`Found at address ${REUSED_ADDRESS} · matched ${REUSED_ADDRESS}`);
    expect(details).toMatch(new RegExp(`Address${REUSED_ADDRESS.replaceAll('.', '\\.')}`));
    expect(details).toContain('ENIeni-0d93b1f27c4a8e615');
    expect(details).toContain('Deploymentecs-svc/1234567890123456789');
    expect(details).toContain(DIGEST_AFTER);
    await expect(
      page.locator('#details .outcome[data-churn="scale-in"]').textContent(),
    ).resolves.toBe('stopped: scale-in');
    await expect(page.locator('#details .drift').textContent()).resolves.toBe(
      `Digest drift: ${WEB_IMAGE} ran as 2 digests in deployment ecs-svc/1234567890123456789: ` +
        // Of the runs in view: the search found one of the two that ran the first digest.
        `${DIGEST_BEFORE} (first seen 2026-11-20 03:00:00, 1 task in view); this task ${DIGEST_AFTER} (first seen 2026-11-20 06:00:00, 1 task in view)`,
    );
    mkdirSync(join(REPO_ROOT, 'reports/screenshots'), { recursive: true });
    await page.screenshot({
      path: join(REPO_ROOT, 'reports/screenshots/web-search.png'),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  });

  it('finds every run of an image by its tag, and the runs of one digest by the digest', async () => {
    await open(DAY);

    await searchFor(WEB_IMAGE);
    expect(await shownTaskIds()).toEqual([FIRST.taskId, SECOND.taskId, THIRD.taskId]);

    await searchFor(DIGEST_BEFORE);
    expect(await shownTaskIds()).toEqual([FIRST.taskId, SECOND.taskId]);
    expect(errors).toEqual([]);
  });

  it('finds a task by its id and opens it: the host and the EC2 instance it ran on', async () => {
    await open(DAY);

    await searchFor(ON_HOST_TASK_ID);

    expect(await shownTaskIds()).toEqual([ON_HOST_TASK_ID]);
    const arn = `arn:aws:ecs:eu-west-1:111122223333:task/batch/${ON_HOST_TASK_ID}`;
    const details = await openDetails(arn);
    expect(details).toContain(`EC2 instance${EC2_INSTANCE_ID}`);
    expect(details).toContain(
      'Container instancearn:aws:ecs:eu-west-1:111122223333:container-instance/batch/',
    );
    expect(new URL(page.url()).searchParams.get('run')).toBe(arn);
    expect(errors).toEqual([]);
  });

  it('finds what ran on an instance by its EC2 instance id', async () => {
    await open(DAY);

    await searchFor(EC2_INSTANCE_ID);

    expect(await shownTaskIds()).toEqual([ON_HOST_TASK_ID]);
    expect(errors).toEqual([]);
  });

  it('says in one line what is wrong with a search, shown escaped', async () => {
    await open(DAY);

    await searchFor('sha256:abc', 'error');
    await expect(page.locator('#status-line').textContent()).resolves.toMatch(
      /^Cannot show this view: search: .*64 hex digits/,
    );
    await searchFor('web\u202e:latest', 'error');
    const line = (await page.locator('#status-line').textContent()) ?? '';
    expect(line).not.toMatch(RAW_CONTROLS);
    expect(line).toContain('\\u202e');
  });
});

/** The printed link (it may carry the session's token) with the view's query added. */
function linkTo(printed: string, search: string): string {
  const link = new URL(printed);
  for (const [name, value] of new URLSearchParams(search)) link.searchParams.set(name, value);
  return link.toString();
}
