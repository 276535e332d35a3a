/**
 * A read-only ECSLOG_HOME end to end, with the real binary: reads still answer (from a private
 * copy, no store.lock taken), writing commands stop at once in one line naming the folder, and
 * nothing in the folder changes. Root ignores mode bits, so as root the folder is made read-only
 * with a read-only bind mount; otherwise with mode 0555.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_DIR, runEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

const OOM_TASK = 'b1449e8faf40609955463eb597283364';

/**
 * Makes `path` read-only for this process and its children; gives how to undo it, or undefined
 * when root may not mount here (nothing else makes a folder read-only to root).
 */
function makeReadOnly(path: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o555);
    return () => chmodSync(path, 0o700);
  }
  try {
    execFileSync('mount', ['--bind', path, path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', path], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', [path]);
    return undefined;
  }
  return () => execFileSync('umount', [path]);
}

/** A test that needs the read-only folder; said, not hidden, when it cannot be made here. */
function readOnlyIt(name: string, test: () => Promise<void>, undo: () => unknown): void {
  it(name, async () => {
    if (!undo()) return console.warn(`not run: ${name} (root cannot bind-mount read-only here)`);
    await test();
  });
}

describe('a read-only ECSLOG_HOME (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-read-only-'));
  const temp = mkdtempSync(join(tmpdir(), 'ecslog-read-only-tmp-'));
  const env = { ECSLOG_HOME: home, TMPDIR: temp, TZ: 'UTC' };
  const ecslog = (args: readonly string[]) => runEcslog(args, undefined, env);
  const oom = `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`;
  let undo: (() => void) | undefined;
  let before: string[];
  let taskBefore: string;

  beforeAll(async () => {
    const ingest = await ecslog(['ingest', '--retention-days', '3650', oom]);
    expect(ingest.status).toBe(0);
    taskBefore = (await ecslog(['task', OOM_TASK])).stdout;
    before = readdirSync(home).sort();
    undo = makeReadOnly(home);
  });
  afterAll(() => {
    undo?.();
    rmSync(home, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  });

  const whenReadOnly = (name: string, test: () => Promise<void>) =>
    readOnlyIt(name, test, () => undo);

  whenReadOnly('still shows what the store holds, and leaves the folder as it was', async () => {
    const task = await ecslog(['task', OOM_TASK]);

    expect(task.status).toBe(0);
    expect(task.stdout).toBe(taskBefore);
    expect(task.stdout).toMatch(/^Outcome: +failed: out-of-memory$/m);
    expect(readdirSync(home).sort()).toEqual(before);
  });

  whenReadOnly(
    'stops an ingest at once, in one line naming the read-only folder, keeping its input',
    async () => {
      const ingest = await ecslog(['ingest', oom]);

      expect(ingest.status).toBe(1);
      const errors = ingest.stderrLines.filter((line) => line.startsWith('ecslog: '));
      expect(errors).toEqual([
        expect.stringContaining(`cannot write to the local store: ${home} is a read-only folder`),
      ]);
      expect(readdirSync(temp).filter((name) => name.startsWith('unwritten-'))).toHaveLength(1);
      expect(readdirSync(home).sort()).toEqual(before);
    },
  );

  whenReadOnly('refuses ecslog local in one line naming the folder', async () => {
    const local = await ecslog(['local', '--no-open', '--ui-port', '0']);

    expect(local.status).toBe(1);
    expect(local.stderrLines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ecslog: ecslog local needs to write to ${home}, a read-only folder \\((EROFS|EACCES)\\)`,
        ),
      ),
    ]);
  });
});
