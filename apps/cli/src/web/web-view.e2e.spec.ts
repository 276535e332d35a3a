/**
 * The web view end to end, in headless Chromium: `ecslog local` (a simulated day through the
 * ingest code) serving the page, what the timeline draws against what the CLI lists from the same
 * store, clicking runs and failures, filters kept in the URL, and a screenshot for people to see
 * (reports/screenshots/web-view.png).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TimelineView } from './api-types';
import { collectPageErrors, launchChromium } from '../testing/headless-chromium';
import type { RunningEcslog } from '../testing/run-ecslog';
import { EVENTS_DIR, parseRecords, REPO_ROOT, runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(240_000);

/** What the page leaves on `window` for people at the console, and for these tests. */
interface PageHandle {
  ecslog: {
    timeline(): TimelineView | undefined;
    chart: {
      convertToPixel(finder: { gridIndex: number }, value: number[]): number[];
      dispatchAction(action: { type: string }): void;
      getZr(): {
        storage: { getDisplayList(update: boolean): { name?: string; parent?: unknown }[] };
      };
    };
  };
}

describe('web view (headless Chromium)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-web-home-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[]) => runEcslog(args, undefined, env);
  let local: RunningEcslog;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let url: string;

  beforeAll(async () => {
    mkdirSync(join(REPO_ROOT, 'reports/screenshots'), { recursive: true });
    local = startEcslog(['local', '--ui-port', '0', '--no-open'], env);
    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);
    url = /^Web view: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/m.exec(out)?.[1] as string;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    errors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  /**
   * Opens a view as a person does: the first time in a browser through the printed URL (its
   * token buys the cookie), then by the link alone.
   */
  async function open(search: string): Promise<void> {
    const entered = (await page.context().cookies()).length > 0;
    await page.goto(entered ? `${new URL(url).origin}/${search}` : linkTo(url, search));
    // Two days of runs are ≈200 partition reads from dynalite: on a CI machine that runs other
    // suites beside this one they can take longer than Playwright's default 30 s. How fast the
    // view is, is the UI benchmark's to measure, not this test's.
    await page.waitForSelector('body[data-timeline=ready]', { timeout: 90_000 });
  }
  async function runsListedByCli(args: readonly string[]): Promise<AuditRecord[]> {
    const run = await ecslog(['tasks', '--since', '2d', '--json', ...args]);
    expect(run.status).toBe(0);
    return parseRecords(run.stdout);
  }

  it('opens to the timeline: one bar per task run and one mark per run that never started, as the CLI lists them', async () => {
    const listed = await runsListedByCli([]);
    const asked: string[] = [];
    page.on('request', (request) => {
      const { pathname, search } = new URL(request.url());
      if (pathname === '/api/timeline') asked.push(search);
    });

    await open('?since=2d');

    // One request: sent by first-request.js before the page's script loaded, taken over by it.
    expect(asked).toEqual(['?since=2d']);
    const drawn = await drawnOnTimeline(page);
    const neverStarted = listed.filter((record) => record.recordType === 'api-call');
    expect(neverStarted.length).toBeGreaterThan(0);
    expect(drawn.bars).toBe(listed.length - neverStarted.length);
    expect(drawn.marks).toBe(neverStarted.length);
    await expect(page.locator('#status-line').textContent()).resolves.toMatch(
      // The generated events give each task a digest of its own, so the simulated day's services
      // show digest drift too: said after the runs that never started.
      new RegExp(
        `^${listed.length} task runs \\(${neverStarted.length} never started(; \\d+ with digest drift \\(\\d+ image references?\\))?\\) between`,
      ),
    );
    // The canvas in words, for screen readers.
    const described = page.getByRole('img', {
      name: new RegExp(
        `^Timeline of ${listed.length} task runs in \\d+ groups \\(service or family\\) between .*, ${neverStarted.length} never started\\. Failures by category: `,
      ),
    });
    await expect(described.count()).resolves.toBe(1);
    expect(errors).toEqual([]);

    await page.screenshot({
      path: join(REPO_ROOT, 'reports/screenshots/web-view.png'),
      fullPage: true,
    });
  });

  it('shows in the last hour every run active in it, as the CLI lists them: those begun before it clipped at its start and continuing', async () => {
    const run = await ecslog(['tasks', '--since', '1h', '--json']);
    expect(run.status).toBe(0);
    const listed = parseRecords(run.stdout);

    await open('?since=1h');

    const view = await timelineOf(page);
    const from = Date.parse(view.range.from);
    expect(view.runs.map((bar) => bar.taskId ?? bar.id).sort()).toEqual(
      listed.map((record) => record.taskId ?? record.recordId).sort(),
    );
    // The simulated day's services run on through its last hour: begun before it, still open.
    const goingOn = view.runs.filter((bar) => bar.continuesBefore && bar.open);
    expect(goingOn.length).toBeGreaterThan(1);
    expect(goingOn.every((bar) => bar.start === from && Date.parse(bar.startTime) < from)).toBe(
      true,
    );
    expect(goingOn.every((bar) => bar.continuesAfter && bar.runEnd === 'open')).toBe(true);
    expect(errors).toEqual([]);
  });

  it("opens with the printed URL's token, then drops it from the address bar; without it, says to open that link", async () => {
    const origin = new URL(url).origin;
    const lost = await page.goto(`${origin}/?since=2d`);
    expect(lost?.status()).toBe(403);
    await expect(page.locator('body').textContent()).resolves.toMatch(
      /^ecslog web view: no session: open the link `ecslog ui` or `ecslog local` printed/,
    );
    // The page, and the icon the browser asks for next: wait until that request is over too, or
    // its 403 is logged after the list is cleared below.
    await page.waitForLoadState('networkidle');
    expect(new Set(errors)).toEqual(
      new Set([
        'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
      ]),
    );
    errors.length = 0;

    await open('?since=2d');

    expect(page.url()).toBe(`${origin}/?since=2d`);
    // The cookie is the browser's alone: the page's script cannot read it.
    await expect(page.evaluate(() => Object(globalThis).document.cookie)).resolves.toBe('');
    expect(errors).toEqual([]);
  });

  it("shows a failed run's reason when its bar is clicked, and keeps the run in the URL", async () => {
    const [oom] = await runsListedByCli(['--status', 'failed']).then((runs) =>
      runs.filter((record) => record.outcome.category === 'out-of-memory'),
    );
    expect(oom).toBeDefined();
    await open('?since=2d');

    await clickRun(page, oom?.resourceArn as string);

    const details = page.locator('#details');
    await expect(details.locator('.outcome').textContent()).resolves.toBe('failed: out-of-memory');
    const text = await details.textContent();
    expect(text).toContain(oom?.outcome.summary);
    expect(text).toContain(oom?.stoppedReason);
    const reason = oom?.containers?.find((c) => c.exitCode === 137)?.reason as string;
    expect(await details.locator('.containers').textContent()).toContain(reason);
    expect(new URL(page.url()).searchParams.get('run')).toBe(oom?.resourceArn);
    // For people to look at: the page from its top, no tooltip over the labels.
    await page.mouse.move(5, 5);
    await page.evaluate(() => {
      (globalThis as unknown as PageHandle).ecslog.chart.dispatchAction({ type: 'hideTip' });
      const { document } = Object(globalThis);
      document.querySelector('aside').scrollTop = 0;
      Object(globalThis).scrollTo(0, 0);
    });
    await page.waitForTimeout(600); // the tooltip fades out (ECharts' transition): looks only
    await page.screenshot({
      path: join(REPO_ROOT, 'reports/screenshots/web-view-run.png'),
      fullPage: true,
    });

    // The link opens the same run.
    await open(new URL(page.url()).search);
    await page.waitForFunction(
      () =>
        !/Loading/.test(String(Object(globalThis).document.querySelector('#details')?.textContent)),
    );
    expect(await page.locator('#details').textContent()).toContain(oom?.stoppedReason);
    expect(errors).toEqual([]);
  });

  it("shows a placement failure's reason when its mark is clicked", async () => {
    await open('?since=2d');
    const mark = (await timelineOf(page)).runs.find((run) => run.neverStarted);

    await clickRun(page, mark?.id as string);

    const text = await page.locator('#details').textContent();
    expect(text).toContain('Never started');
    expect(text).toMatch(/RESOURCE:MEMORY/);
    expect(text).toContain(mark?.summary);
  });

  it('lists failures by category with counts, each linking to its run', async () => {
    const failures = parseRecords((await ecslog(['failures', '--since', '2d', '--json'])).stdout);
    await open('?since=2d');

    const oomPanel = page.locator('.failure-category[data-category="out-of-memory"]');
    const expectedOom = new Set(
      failures.filter((r) => r.outcome.category === 'out-of-memory').map((r) => r.resourceArn),
    );
    await expect(oomPanel.locator('.count').textContent()).resolves.toBe(String(expectedOom.size));
    const pull = page.locator('.failure-category[data-category="image-pull"]');
    const pullTasks = new Set(
      failures
        .filter((r) => r.outcome.category === 'image-pull' && r.recordType === 'task')
        .map((r) => r.resourceArn),
    );
    await expect(pull.locator('.count').textContent()).resolves.toBe(String(pullTasks.size));

    const link = pull.locator('.run-link').first();
    const runId = await link.getAttribute('data-run');
    if ((await pull.getAttribute('open')) === null) await pull.locator('summary').click();
    await link.click();

    await expect(page.locator('#details .outcome').textContent()).resolves.toBe(
      'failed: image-pull',
    );
    expect(pullTasks.has(runId as string)).toBe(true);
    expect(new URL(page.url()).searchParams.get('run')).toBe(runId);
  });

  it('narrows the timeline with the filters, keeps them in the URL, and goes back', async () => {
    const web = await runsListedByCli(['--service', 'web']);
    const failed = await runsListedByCli(['--status', 'failed']);
    const all = await runsListedByCli([]);
    await open('?since=2d');

    await page.selectOption('select[name=group]', 'service:web');
    await page.waitForSelector('body[data-timeline=ready]');

    expect(new URL(page.url()).searchParams.get('group')).toBe('service:web');
    expect((await drawnOnTimeline(page)).bars).toBe(web.length);
    expect((await timelineOf(page)).runs.every((run) => run.group === 'service:web')).toBe(true);

    await page.selectOption('select[name=group]', '');
    await page.waitForSelector('body[data-timeline=ready]');
    await page.selectOption('select[name=status]', 'failed');
    await page.waitForSelector('body[data-timeline=ready]');
    const drawn = await drawnOnTimeline(page);
    expect(drawn.bars + drawn.marks).toBe(failed.length);
    expect(drawn.bars + drawn.marks).toBeLessThan(all.length);

    // The URL alone brings the same view back: a shared link.
    const shared = new URL(page.url()).search;
    await open(shared);
    expect(await page.locator('select[name=status]').inputValue()).toBe('failed');
    expect((await timelineOf(page)).runs).toHaveLength(failed.length);

    await page.goBack();
    await page.waitForSelector('body[data-timeline=ready]');
    expect(await page.locator('select[name=status]').inputValue()).toBe('');
    expect(await page.locator('select[name=group]').inputValue()).toBe('');
  });

  it('scrolls rows that do not fit the window, drawing only the rows in view', async () => {
    await page.setViewportSize({ width: 1500, height: 480 });
    await open('?since=2d');
    const { rows } = await timelineOf(page);
    const before = await drawnOnTimeline(page);

    const box = await page.locator('#timeline').boundingBox();
    await page.mouse.move((box?.x ?? 0) + 600, (box?.y ?? 0) + 120);
    await page.mouse.wheel(0, 2000);
    // The wheel moves the rows' window (a data zoom on the row axis) to its end.
    const lastRowShown = () =>
      page.evaluate(() => {
        const { chart } = (globalThis as unknown as PageHandle).ecslog;
        const zooms = (
          chart as unknown as {
            getOption(): { dataZoom: { id?: string; endValue?: number }[] };
          }
        ).getOption().dataZoom;
        return zooms.find((zoom) => zoom.id === 'rows')?.endValue;
      });
    for (let tries = 0; tries < 40 && (await lastRowShown()) !== rows.length - 1; tries += 1)
      await page.waitForTimeout(50);
    const after = await drawnOnTimeline(page);

    const height = (await page.locator('#timeline').boundingBox())?.height ?? 0;
    expect(height).toBeLessThan(480);
    expect(rows.length).toBeGreaterThan(12);
    expect(before.bars).toBeGreaterThan(0);
    expect(before.bars).toBeLessThan((await timelineOf(page)).runs.length);
    // Wheeled to the last rows: the bars of those rows are drawn.
    expect(await lastRowShown()).toBe(rows.length - 1);
    expect(after.bars).toBeGreaterThan(0);
  });

  it('shows history known only from CloudTrail: a start mark per task only started, a bar ending at its StopTask call', async () => {
    const trailHome = mkdtempSync(join(tmpdir(), 'ecslog-web-trail-'));
    const trailEnv = { ECSLOG_HOME: trailHome, TZ: 'UTC' };
    const range = ['--from', '2026-11-20T00:00:00Z', '--to', '2026-11-21T00:00:00Z'];
    let ui: RunningEcslog | undefined;
    try {
      // A CloudTrail log file, as a backfill reads them: RunTask and StopTask calls, no events.
      const ingest = await runEcslog(
        ['ingest', `${EVENTS_DIR}/cloudtrail/log-file.json`],
        undefined,
        trailEnv,
      );
      expect(ingest.status).toBe(0);
      const listedRun = await runEcslog(['tasks', '--json', ...range], undefined, trailEnv);
      const listed = parseRecords(listedRun.stdout);
      const stopCalls = listed.filter((record) => record.eventName === 'StopTask');
      const failures = listed.filter((record) => record.outcome.status === 'failed');
      expect(stopCalls).toHaveLength(1);
      expect(failures.length).toBeGreaterThan(0);
      const startedOnly = listed.length - stopCalls.length - failures.length;
      expect(startedOnly).toBeGreaterThan(0);
      ui = startEcslog(['ui', '--port', '0', '--no-open'], trailEnv);
      const webUrl = /^ecslog web view: (\S+)/m.exec(
        await ui.waitForOutput(/Ctrl-C stops it/),
      )?.[1] as string;

      await page.goto(linkTo(webUrl, '?from=2026-11-20T00:00:00.000Z&to=2026-11-21T00:00:00.000Z'));
      await page.waitForSelector('body[data-timeline=ready]');

      await expect(drawnOnTimeline(page)).resolves.toEqual({
        bars: stopCalls.length,
        marks: failures.length,
        startMarks: startedOnly,
      });
      await expect(page.locator('#status-line').textContent()).resolves.toMatch(
        new RegExp(
          `^${listed.length} task runs \\(${failures.length} never started; ${startedOnly} known only by the call that started them\\) between`,
        ),
      );
      const stopped = (await timelineOf(page)).runs.find(
        (run) => !run.neverStarted && !run.endUnknown,
      );
      expect(stopped?.end).toBe(Date.parse(stopCalls[0]?.eventTime as string));
      await clickRun(page, stopped?.id as string);
      await expect(page.locator('#details .outcome').getAttribute('data-outcome')).resolves.toBe(
        'stopped',
      );
      await expect(page.locator('#details .summary').textContent()).resolves.toMatch(
        /^StopTask by .*: Manual stop for maintenance$/,
      );
      await page.screenshot({
        path: join(REPO_ROOT, 'reports/screenshots/web-view-cloudtrail.png'),
      });

      // The status filter keeps just the runs known only by their start call.
      await page.selectOption('select[name=status]', 'info');
      await page.waitForSelector('body[data-timeline=ready]');
      expect(new URL(page.url()).searchParams.get('status')).toBe('info');
      await expect(drawnOnTimeline(page)).resolves.toEqual({
        bars: 0,
        marks: 0,
        startMarks: startedOnly,
      });
      expect(errors).toEqual([]);
    } finally {
      await ui?.stop();
      rmSync(trailHome, { recursive: true, force: true });
    }
  });

  it('stops serving when local mode dies, even by SIGKILL', async () => {
    const otherHome = mkdtempSync(join(tmpdir(), 'ecslog-web-killed-'));
    const killed = startEcslog(['local', '--ui-port', '0', '--no-open'], {
      ECSLOG_HOME: otherHome,
    });
    try {
      const out = await killed.waitForOutput(/Ctrl-C stops local mode\./);
      const webUrl = /^Web view: (\S+)/m.exec(out)?.[1] as string;
      expect((await fetch(webUrl, { redirect: 'manual' })).status).toBe(303);

      await killed.stop('SIGKILL');

      let refused = false;
      for (let tries = 0; tries < 100 && !refused; tries += 1)
        refused = await fetch(webUrl).then(
          () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
          () => true,
        );
      expect(refused).toBe(true);
    } finally {
      await killed.stop('SIGKILL');
      rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('refuses to start local mode on a web view port another program holds, in one line', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const otherHome = mkdtempSync(join(tmpdir(), 'ecslog-web-port-'));
    try {
      const run = await runEcslog(['local', '--ui-port', String(port), '--no-open'], undefined, {
        ECSLOG_HOME: otherHome,
      });

      expect(run.status).toBe(1);
      expect(run.stderrLines.at(-1)).toBe(
        `ecslog: the web view did not start: port ${port} on 127.0.0.1 is in use: choose another with --ui-port (ecslog local) or --port (ecslog ui)`,
      );
      expect(existsSync(join(otherHome, 'store.lock'))).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
      rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a URL it cannot show', async () => {
    await page.goto(linkTo(url, '?since=forever'));
    await page.waitForSelector('body[data-timeline=error]');

    await expect(page.locator('#status-line').textContent()).resolves.toBe(
      'Cannot show this view: since must be a positive duration such as 30m, 24h, 7d or 2w, got "forever"',
    );
  });
});

/** The URL ecslog printed (with the session's token) with a view's query added. */
function linkTo(printed: string, search: string): string {
  const link = new URL(printed);
  for (const [name, value] of new URLSearchParams(search)) link.searchParams.set(name, value);
  return link.toString();
}

async function timelineOf(page: Page): Promise<TimelineView> {
  return page.evaluate(() =>
    (globalThis as unknown as PageHandle).ecslog.timeline(),
  ) as Promise<TimelineView>;
}

/**
 * What the chart drew: bars (groups of phase rectangles), never-started marks, and the start marks
 * of runs known only by their start call (when there are any).
 */
async function drawnOnTimeline(
  page: Page,
): Promise<{ bars: number; marks: number; startMarks?: number }> {
  return page.evaluate(() => {
    const drawn = (globalThis as unknown as PageHandle).ecslog.chart
      .getZr()
      .storage.getDisplayList(true);
    const phases = drawn.filter((element) => element.name?.startsWith('phase:'));
    return {
      bars: new Set(phases.map((element) => element.parent)).size,
      marks: drawn.filter((element) => element.name === 'not-started').length,
      ...(drawn.some((element) => element.name === 'start-call') && {
        startMarks: drawn.filter((element) => element.name === 'start-call').length,
      }),
    };
  });
}

/** Clicks with the mouse where the run is drawn: a bar's first pixels, or a mark's centre. */
async function clickRun(page: Page, runId: string): Promise<void> {
  const point = await page.evaluate((id) => {
    const { chart, timeline } = (globalThis as unknown as PageHandle).ecslog;
    const run = timeline()?.runs.find((candidate) => candidate.id === id);
    if (!run) return undefined;
    const [x, y] = chart.convertToPixel({ gridIndex: 0 }, [run.start, run.row]) as [number, number];
    return { x: run.neverStarted || run.endUnknown ? x : x + 1.5, y };
  }, runId);
  expect(point).toBeDefined();
  const box = await page.locator('#timeline').boundingBox();
  await page.mouse.click((box?.x ?? 0) + (point?.x ?? 0), (box?.y ?? 0) + (point?.y ?? 0));
  await page.waitForFunction(
    (id) => Object(globalThis).document.querySelector('#details')?.dataset.run === id,
    runId,
  );
  await page.waitForFunction(
    () =>
      !/Loading/.test(String(Object(globalThis).document.querySelector('#details')?.textContent)),
  );
}
