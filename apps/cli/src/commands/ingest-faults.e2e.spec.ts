/**
 * `ecslog ingest` under faults, end to end with the real binary: the `ecslog local` it writes
 * through is killed mid-way, Ctrl-C in the middle, and a full disk (a small tmpfs as
 * $ECSLOG_HOME, where the machine lets this process mount one). Each ends quickly, in one line
 * that says what was stored and where the rest is, with nothing lost.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateEvents, toNdjson } from '@ecslog/simulator';
import type { RunningEcslog } from '../testing/run-ecslog';
import { runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(240_000);

const EVENTS = 6_000;

describe('ecslog ingest under faults (end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecslog-ingest-faults-'));
  const input = join(dir, 'events.ndjson');
  const running: RunningEcslog[] = [];
  const start = (args: readonly string[], env: Record<string, string>) => {
    const process = startEcslog(args, env);
    running.push(process);
    return process;
  };

  beforeAll(() => {
    writeFileSync(
      input,
      toNdjson(simulateEvents({ events: EVENTS, seed: 5, end: new Date().toISOString() })),
    );
  });
  afterAll(async () => {
    for (const process of running) await process.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh ECSLOG_HOME (and TMPDIR, where a full home's unwritten inputs go). */
  function home(name: string) {
    const root = join(dir, name);
    const temp = join(dir, `${name}-tmp`);
    mkdirSync(temp, { recursive: true });
    return { root, temp, env: { ECSLOG_HOME: root, TMPDIR: temp, TZ: 'UTC' } };
  }

  it('goes on in seconds when the ecslog local it writes through is killed, storing everything', async () => {
    const { env } = home('killed');
    const local = start(['local', '--no-open', '--no-simulate', '--ui-port', '0'], env);
    await local.waitForOutput(/Ctrl-C stops local mode\./);
    const ingest = start(['ingest', '--retention-days', '3650', input], env);
    await sleep(4_000); // well into the ingest: it takes tens of seconds

    await local.stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => /stopped answering/.test(ingest.stderr()), 60_000);
    const noticedAfter = (Date.now() - killedAt) / 1000;
    const status = await ingest.stop('SIGCONT'); // no-op signal: waits for it to end on its own

    const lines = ingest.stderr().trimEnd().split('\n');
    expect({ status, lines }).toEqual({
      status: 0,
      lines: [
        expect.stringMatching(
          /^ecslog: the local store in .* \(served by pid \d+\) stopped answering \(ECONNREFUSED\); going on with the local store in /,
        ),
        expect.stringMatching(
          new RegExp(
            `^ingested ${EVENTS} inputs into the local store in .*: ${EVENTS} mapped → ${EVENTS} records stored `,
          ),
        ),
      ],
    });
    // Not 5 attempts of ≈30 s per batch.
    expect(noticedAfter).toBeLessThan(8);
    console.log(
      `ecslog local killed: the ingest went on by itself after ${noticedAfter.toFixed(1)} s`,
    );
  });

  it('on Ctrl-C stops after the batch in flight, says what was stored and keeps the rest', async () => {
    const { root, env } = home('interrupted');
    const ingest = start(['ingest', '--retention-days', '3650', input], env);
    await waitFor(
      () => existsSync(join(root, 'lake')) && readdirSync(join(root, 'lake')).length > 0,
      60_000,
    );

    const status = await ingest.stop('SIGINT');

    const lines = ingest.stderr().trimEnd().split('\n');
    expect(status).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ecslog: stopped after \d+ of \d+ inputs: SIGINT; /);
    const stored = Number(/^ingested \d+ inputs .*: (\d+) mapped/.exec(lines[0] ?? '')?.[1]);
    const stop =
      /^ecslog: stopped after (\d+) of (\d+) inputs: SIGINT; the (\d+) inputs not stored are kept in (\S+) — ingest that file again$/.exec(
        lines[1] ?? '',
      );
    expect(stop).not.toBeNull();
    const [, after, of, kept, file] = stop as unknown as [string, string, string, string, string];
    expect(Number(after)).toBe(stored);
    expect(stored).toBeGreaterThan(0);
    expect(Number(of)).toBe(EVENTS);
    expect(Number(after) + Number(kept)).toBe(EVENTS);
    expect(
      readFileSync(join(root, file.replace(/^.*\//, '')), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(Number(kept));
    expect(existsSync(join(root, 'store.lock'))).toBe(false);
  });

  describe('a full disk', () => {
    const mountPoint = join(dir, 'full');
    let mounted = false;
    beforeAll(() => {
      mkdirSync(mountPoint, { recursive: true });
      try {
        for (const point of [mountPoint, localMount]) {
          mkdirSync(point, { recursive: true });
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1500k', 'tmpfs', point], {
            stdio: 'ignore',
          });
        }
        mounted = true;
      } catch {
        // Mounting needs root (CI has it): the int spec injects ENOSPC at the lake instead.
      }
    });
    const localMount = join(dir, 'full-local');
    afterAll(() => {
      if (mounted) execFileSync('umount', [mountPoint]);
      if (mounted) execFileSync('umount', [localMount]);
    });

    it('ends in one line naming ENOSPC, what was stored and where the rest is, and no stale lock', async () => {
      if (!mounted) {
        console.warn('no tmpfs (mount needs root): the full-disk end-to-end test did not run');
        return;
      }
      const root = join(mountPoint, 'home');
      const temp = join(dir, 'full-tmp');
      mkdirSync(temp, { recursive: true });

      const run = await runEcslog(['ingest', '--retention-days', '3650', input], undefined, {
        ECSLOG_HOME: root,
        TMPDIR: temp,
      });

      expect(run.stderr).not.toMatch(/node_modules|\n +at /);
      expect(run.status).toBe(1);
      expect(run.stderrLines).toHaveLength(2);
      expect(run.stderrLines[1]).toMatch(/ENOSPC/);
      const stop = new RegExp(
        `^ecslog: stopped after (\\d+) of ${EVENTS} inputs: the disk holding the store is full \\(ENOSPC\\): .*; the (\\d+) inputs not stored are kept in (\\S+) \\(not in .*: ENOSPC\\) — ingest that file again$`,
      ).exec(run.stderrLines[1] ?? '');
      expect(stop).not.toBeNull();
      const [, stored, kept, file] = stop as unknown as [string, string, string, string];
      expect(Number(stored) + Number(kept)).toBe(EVENTS);
      expect(file.startsWith(temp)).toBe(true);
      expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(Number(kept));
      expect(existsSync(join(root, 'store.lock'))).toBe(false);
    });

    it('stops ecslog local in one line, and the ingest through it keeps the rest, no lock left', async () => {
      if (!mounted) return;
      const root = join(localMount, 'home');
      const temp = join(dir, 'full-local-tmp');
      mkdirSync(temp, { recursive: true });
      const env = { ECSLOG_HOME: root, TMPDIR: temp };
      const local = start(['local', '--no-open', '--no-simulate', '--ui-port', '0'], env);
      await local.waitForOutput(/Ctrl-C stops local mode\./);

      const run = await runEcslog(['ingest', '--retention-days', '3650', input], undefined, env);
      const localStatus = await local.stop('SIGCONT'); // it stops by itself

      expect(run.stderr).not.toMatch(/node_modules|\n +at /);
      expect(local.stderr()).not.toMatch(/node_modules|\n +at /);
      expect(localStatus).toBe(1);
      expect(local.stdout()).toMatch(
        /^ecslog local: the disk holding the store is full \(ENOSPC\): .*; stopping\.$/m,
      );
      expect(run.status).toBe(1);
      expect(run.stderrLines).toHaveLength(2);
      const stop = new RegExp(
        `^ecslog: stopped after (\\d+) of ${EVENTS} inputs: .*; the (\\d+) inputs not stored are kept in (\\S+) .*— ingest that file again$`,
      ).exec(run.stderrLines[1] ?? '');
      expect(stop).not.toBeNull();
      const [, stored, kept, file] = stop as unknown as [string, string, string, string];
      expect(Number(stored) + Number(kept)).toBe(EVENTS);
      expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(Number(kept));
      expect(existsSync(join(root, 'store.lock'))).toBe(false);
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (condition()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
