/**
 * What `ecslog ui` runs (its options are in ui.command.ts): the web view over a store, in this
 * process; and the web view of `ecslog local`, in a child process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createAuditReader } from '@ecslog/audit-store';
import type { IncidentReader } from '@ecslog/notifier';
import { createIncidentReader } from '@ecslog/notifier';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { loadPageAssets } from '../web/page-assets';
import type { WebServer } from '../web/web-server';
import { PortInUseError, startWebServer } from '../web/web-server';
import type { CliIo } from './cli-io';
import { withStore } from './query-support';
import type { UiOptions } from './ui.command';
import { DEFAULT_UI_PORT } from './ui.command';

export async function runUi(options: UiOptions, io: CliIo): Promise<number> {
  const stopped = io.waitForStop();
  await withStore(io, options, async (store) => {
    // Incidents are read from the whole connection (a local store's web-view store keeps only
    // its reader): the incidents panel of `ecslog ui` and `ecslog local`.
    const incidents = createIncidentReader({
      client: store.client,
      tableName: store.tableName,
      now: io.now,
    });
    const server = await serveWebView(webViewStoreOf(store), io, options.port, incidents);
    // The URL carries the session's token; `ecslog local` reads it from here (its child's stdout).
    io.stdout.write(`ecslog web view: ${server.url}  (${store.description}; Ctrl-C stops it)\n`);
    if (await store.reader.isEmpty())
      io.stderr.write(
        `${store.description} is empty: the timeline fills as events are ingested` +
          (store.kind === 'local' ? ' (`npm start` loads a simulated day)\n' : '\n'),
      );
    if (options.open) openBrowser(server.url, io);
    const signal = await stopped;
    io.stdout.write(`\n${signal}: stopping…\n`);
    await server.close();
  });
  return 0;
}

/**
 * What the web view reads: on a local store, a reader that keeps what it has read while the
 * store's write generation says nothing was written since (every write passes the store's guard,
 * which counts them), so moving between filters and ranges already read answers from memory and
 * stays exact. A table in AWS has other writers ecslog cannot see: read as it is.
 */
export function webViewStoreOf(
  store: AuditStoreConnection,
): Pick<AuditStoreConnection, 'reader' | 'description'> {
  if (store.generation === undefined) return store;
  return {
    description: store.description,
    reader: createAuditReader({
      client: store.client,
      tableName: store.tableName,
      readCache: { generation: store.generation },
    }),
  };
}

/**
 * Starts the web view over `store`. On the default port, a port in use means another program has
 * it: any free port is taken instead. A port asked for must be free.
 */
export async function serveWebView(
  store: Pick<AuditStoreConnection, 'reader' | 'description'>,
  io: CliIo,
  port: number | undefined,
  incidents?: IncidentReader,
): Promise<WebServer> {
  const assets = loadPageAssets();
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const start = (at: number) =>
    startWebServer({ store, assets, port: at, now: io.now, log, ...(incidents && { incidents }) });
  try {
    return await start(port ?? DEFAULT_UI_PORT);
  } catch (error) {
    if (!(error instanceof PortInUseError) || port !== undefined) throw error;
    log(`port ${DEFAULT_UI_PORT} is in use: the web view takes a free port instead`);
    return start(0);
  }
}

/** The web view of `ecslog local`, served by a child process. */
export interface WebViewProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `ecslog ui` in a child process over the local store this process holds (the child finds
 * it through store.lock), so that building timelines and the store's own work run on two cores,
 * and a heavy page never holds up the store. The child stops when this process does, however it
 * ends (IPC channel). Its error lines go to `io.stderr`.
 */
export async function startWebViewProcess(
  io: CliIo,
  port: number | undefined,
): Promise<WebViewProcess> {
  const bin = join(__dirname, '..', '..', 'bin', 'ecslog.js');
  const args = ['ui', '--no-open', ...(port === undefined ? [] : ['--port', String(port)])];
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: io.cwd,
    env: { ...io.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const [out, err] = [child.stdout as Readable, child.stderr as Readable];
  let stdout = '';
  let stderr = '';
  let started = false;
  // Before it serves, what it says is kept for the error; after, passed on as it comes.
  err.setEncoding('utf8').on('data', (text: string) => {
    if (started) io.stderr.write(text);
    else stderr += text;
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    // 'close': after its output is read to the end, so a failure's message is whole.
    child.once('close', (code, signal) => {
      if (started && !stopping)
        io.stderr.write(`ecslog: the web view stopped (${signal ?? `exit ${code}`})\n`);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() =>
      reject(
        new WebViewError(
          `the web view did not start: ${stderr.trim().replace(/^ecslog: /, '') || 'no message'}`,
        ),
      ),
    );
    out.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const match = /^ecslog web view: (http:\/\/\S+)/m.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
  });
  started = true;
  return {
    url,
    stop: async () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The web view's process could not start; its own message says why. */
export class WebViewError extends Error {
  override readonly name = 'WebViewError';
}

/**
 * Opens the URL in the person's browser when there is a person at a screen: stdout is a
 * terminal and, on Linux, a display is set. Best effort: a browser that fails to open is not an
 * error, the URL is printed anyway.
 */
export function openBrowser(url: string, io: CliIo): void {
  if (!(io.stdout as { isTTY?: boolean }).isTTY) return;
  const command =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : io.env['DISPLAY'] || io.env['WAYLAND_DISPLAY']
          ? ['xdg-open', url]
          : undefined;
  if (!command) return;
  const child = spawn(command[0] as string, command.slice(1), { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
