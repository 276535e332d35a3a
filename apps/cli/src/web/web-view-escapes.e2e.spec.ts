/**
 * The web view end to end, in headless Chromium, over event text with bidi overrides and
 * terminal escapes (a hostile StopTask reason, container reason and service action reason, through
 * `ecslog ingest`): the page's text, its tooltips and its accessible names show U+202E and the
 * control characters as visible escapes (`\u202e`), never raw, as the CLI does
 * (reports/screenshots/web-view-escapes.png shows the run's details).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from '../testing/headless-chromium';
import { hostileEvents, RAW_CONTROLS } from '../testing/hostile-events';
import type { RunningEcslog } from '../testing/run-ecslog';
import { REPO_ROOT, runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

describe('web view over hostile event text (headless Chromium)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-web-escapes-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  let ui: RunningEcslog | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let url: string;

  beforeAll(async () => {
    const events = hostileEvents(Date.now() - 3_600_000);
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
    page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 900 } });
    errors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  /** Everything people read or hear on the page: its text and its tooltip and label attributes. */
  function readableText(): Promise<string> {
    return page.evaluate(() => {
      const doc = Object(globalThis).document as {
        body: { innerText: string; textContent: string };
        querySelectorAll(selector: string): { getAttribute(name: string): string | null }[];
      };
      const attributes = [...doc.querySelectorAll('[title], [aria-label]')].flatMap((element) => [
        element.getAttribute('title') ?? '',
        element.getAttribute('aria-label') ?? '',
      ]);
      return [doc.body.textContent, doc.body.innerText, ...attributes].join('\n');
    });
  }

  it("shows a run's hostile stopped reason with U+202E and ESC as visible escapes, in details, failures and status line", async () => {
    await page.goto(linkTo(url, '?since=2d'));
    await page.waitForSelector('body[data-timeline=ready]');
    const failure = page.locator(
      '.failure-category[data-category="essential-container-exited"] .run-link',
    );
    const title = await failure.getAttribute('title');
    await failure.click();
    await page.waitForFunction(() =>
      /Stopped reason/.test(
        String(Object(globalThis).document.querySelector('#details')?.textContent),
      ),
    );

    const text = await readableText();

    expect(text).not.toMatch(RAW_CONTROLS);
    expect(text).toContain('\\u202edesab');
    expect(text).toContain('maintenance\\x1b[2J\\x1b]0;ecslog: all clear\\x07');
    // The stopped reason keeps its carriage return, shown.
    await expect(page.locator('#details').textContent()).resolves.toContain(
      '\\rall tasks succeeded\\u202edesab',
    );
    expect(title).toContain('\\u202edesab');
    mkdirSync(join(REPO_ROOT, 'reports/screenshots'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'reports/screenshots/web-view-escapes.png') });
    expect(errors).toEqual([]);
  });

  it('shows the tooltip of a hostile run escaped', async () => {
    await page.goto(linkTo(url, '?since=2d'));
    await page.waitForSelector('body[data-timeline=ready]');
    const point = await page.evaluate(() => {
      const { chart, timeline } = Object(globalThis).ecslog as {
        chart: { convertToPixel(finder: { gridIndex: number }, value: number[]): number[] };
        timeline(): { runs: { start: number; row: number; taskId?: string }[] } | undefined;
      };
      const run = timeline()?.runs.find((candidate) => candidate.taskId !== undefined);
      return run && chart.convertToPixel({ gridIndex: 0 }, [run.start, run.row]);
    });
    expect(point).toBeDefined();
    const box = await page.locator('#timeline').boundingBox();
    const [x, y] = point as number[];
    await page.mouse.move((box?.x ?? 0) + (x as number) + 2, (box?.y ?? 0) + (y as number));
    await page.waitForFunction(() =>
      /desab/.test(String(Object(globalThis).document.querySelector('#timeline')?.textContent)),
    );

    const tooltip = await page.locator('#timeline').textContent();

    expect(tooltip).not.toMatch(RAW_CONTROLS);
    expect(tooltip).toContain('\\u202edesab');
    expect(errors).toEqual([]);
  });

  it('shows an error that quotes a hostile URL parameter escaped', async () => {
    await page.goto(linkTo(url, `?status=${encodeURIComponent('faild\u202e')}`));
    await page.waitForSelector('body[data-timeline=error]');

    const text = await readableText();

    expect(text).toContain('got "faild\\u202e"');
    expect(text).not.toMatch(RAW_CONTROLS);
  });
});

/** The printed link (it may carry the session's token) with the view's filters added. */
function linkTo(printed: string, search: string): string {
  const link = new URL(printed);
  for (const [name, value] of new URLSearchParams(search)) link.searchParams.set(name, value);
  return link.toString();
}
