/**
 * The web view's store in local mode: `ecslog ui` (the child of `ecslog local`) connects to the
 * store another process serves, and reads it through the read cache, exact across that process's
 * writes. A store without a write generation (a table in AWS) is read as it is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditWriter } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { toTaskRuns } from '@ecslog/task-runs';
import { LIVES_EPOCH, taskLivesArb } from '@ecslog/audit-store/testing';
import type { LocalStore } from '@ecslog/store-connection';
import { ecslogHome, openLocalStore } from '@ecslog/store-connection';
import fc from 'fast-check';
import { webViewStoreOf } from './ui.run';

const DAY_MS = 86_400_000;
const NOW = LIVES_EPOCH + 10 * DAY_MS;

// Two local stores on disk and their writes: well past jest's 5 s on a loaded machine.
jest.setTimeout(60_000);

describe('webViewStoreOf', () => {
  let dir: string;
  let served: LocalStore;
  let connected: LocalStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ui-store-'));
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    served = await openLocalStore({ home, role: 'local', cwd: dir });
    connected = await openLocalStore({ home, role: 'command', cwd: dir });
  });
  afterAll(async () => {
    await connected?.close();
    await served?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The records of three generated task lives. */
  const livesOf = (seed: number) =>
    (
      fc.sample(taskLivesArb({ minLength: 3, maxLength: 3 }), { numRuns: 1, seed })[0] ?? []
    ).flatMap((life) => life.records);
  /**
   * The records of the first seed from `from` whose lives hold a run still open: written, they
   * change what `openRuns` answers (whatever the generators' mix of stops).
   */
  const withOpenRun = (from: number) => {
    for (let seed = from; seed < from + 1_000; seed += 1) {
      const records = livesOf(seed);
      if (toTaskRuns(records).some((run) => run.end === 'open')) return records;
    }
    throw new Error(`no seed from ${from} gives an open run`);
  };
  const write = (records: AuditRecord[]) =>
    createAuditWriter({
      client: served.client,
      tableName: served.tableName,
      retentionDays: 3650,
      now: () => NOW,
    }).writeRecords(records);

  it("reads a connected local store through the cache, and again after the serving process's writes", async () => {
    expect(connected.owned).toBe(false);
    await write(withOpenRun(1));
    const { reader } = webViewStoreOf(connected);

    const first = await reader.openRuns();
    const again = await reader.openRuns();
    await write(withOpenRun(1_001));
    const after = await reader.openRuns();

    expect(first.runs.length).toBeGreaterThan(0);
    expect(first.itemsCached).toBe(0);
    expect(again).toEqual({ runs: first.runs, itemsRead: 0, itemsCached: first.itemsRead });
    expect(after.itemsCached).toBe(0);
    expect(after.runs.length).toBeGreaterThan(first.runs.length);
    expect(after.runs).toEqual((await connected.reader.openRuns()).runs);
  });

  it('reads a store that has no write generation as it is', () => {
    const store = { ...connected, generation: undefined };
    expect(webViewStoreOf(store)).toBe(store);
  });
});
