/**
 * The local store against a hostile web page, end to end: `ecslog local` serves the store on a
 * loopback port; a page from another loopback origin (the kind any site can make a browser open)
 * finds the port and tries, with fetch and XHR, to read the table, delete it, and slip a simple
 * no-cors POST past CORS. Headless Chromium runs the page. The page learns nothing, the table
 * survives, and ecslog's own commands still work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../testing/headless-chromium';
import type { RunningEcslog } from '../testing/run-ecslog';
import { runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

/** What each attempt of the page got: what it could read, or the error the browser gave it. */
interface Attempt {
  name: string;
  outcome: 'read' | 'opaque' | 'error';
  status?: number;
  text?: string;
  error?: string;
}

/**
 * The attacking page. It is given the store's port (an attacker scans for it; the test saves
 * the scan) and tries every way a page has to talk to it.
 */
function attackPage(storePort: number): string {
  const script = `
const store = 'http://127.0.0.1:${storePort}/';
const byName = 'http://localhost:${storePort}/';
const target = (op) => ({
  'Content-Type': 'application/x-amz-json-1.0',
  'X-Amz-Target': 'DynamoDB_20120810.' + op,
  // With a date and these three fields, dynalite alone took any signature (and CORS let the page read).
  'X-Amz-Date': new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, ''),
  Authorization: 'AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64),
});
const body = JSON.stringify({ TableName: 'ecslog-audit' });
async function tryFetch(name, url, init) {
  try {
    const res = await fetch(url, init);
    if (res.type === 'opaque') return { name, outcome: 'opaque', status: res.status };
    return { name, outcome: 'read', status: res.status, text: await res.text() };
  } catch (error) {
    return { name, outcome: 'error', error: String(error) };
  }
}
function tryXhr(name, op) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', store);
    for (const [k, v] of Object.entries(target(op))) xhr.setRequestHeader(k, v);
    xhr.onload = () => resolve({ name, outcome: 'read', status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ name, outcome: 'error', error: 'xhr error' });
    xhr.send(body);
  });
}
window.attack = async () => [
  await tryFetch('health GET', store, {}),
  await tryFetch('Scan (CORS)', store, { method: 'POST', headers: target('Scan'), body }),
  await tryXhr('Scan (XHR)', 'Scan'),
  await tryFetch('DeleteTable (CORS)', store, { method: 'POST', headers: target('DeleteTable'), body }),
  await tryXhr('DeleteTable (XHR)', 'DeleteTable'),
  await tryFetch('DeleteTable (simple no-cors POST, text/plain)', store, {
    method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body,
  }),
  await tryFetch('health GET (no-cors)', store, { mode: 'no-cors' }),
  await tryFetch('Scan by name (localhost)', byName, { method: 'POST', headers: target('Scan'), body }),
];
`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>a page</title></head><body><script>${script}</script></body></html>`;
}

describe('the local store against a web page (headless Chromium)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-protect-home-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  let local: RunningEcslog;
  let storePort: number;
  let attacker: Server;
  let attackerOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    local = startEcslog(['local', '--ui-port', '0', '--no-open'], env);
    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);
    storePort = Number(/dynalite at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    attacker = createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(attackPage(storePort));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await local?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('gives the page nothing, keeps the table, and still serves ecslog tasks', async () => {
    const before = await runEcslog(['tasks', '--since', '2d', '--json'], undefined, env);
    expect(before.status).toBe(0);
    const runs = before.stdout.trimEnd().split('\n').length;
    expect(runs).toBeGreaterThan(10);

    const page = await browser.newPage();
    let attempts: Attempt[];
    try {
      await page.goto(`${attackerOrigin}/`);
      attempts = await page.evaluate(() =>
        (globalThis as unknown as { attack(): Promise<Attempt[]> }).attack(),
      );
    } finally {
      await page.close();
    }

    expect(attempts.map((a) => a.name)).toHaveLength(8);
    // Nothing readable: every cross-origin read failed in the browser, no-cors answers are opaque.
    expect(attempts.filter((a) => a.outcome === 'read')).toEqual([]);
    expect(attempts.filter((a) => a.outcome === 'opaque').map((a) => a.name)).toEqual([
      'DeleteTable (simple no-cors POST, text/plain)',
      'health GET (no-cors)',
    ]);
    const after = await runEcslog(['tasks', '--since', '2d', '--json'], undefined, env);
    expect(after.status).toBe(0);
    expect(after.stdout.trimEnd().split('\n')).toHaveLength(runs);
    const failures = await runEcslog(['failures'], undefined, env);
    expect(failures.status).toBe(0);
  });
});
