/**
 * End-to-end, the real binary: event text that would drive a terminal (clear the screen, set
 * the title, plant a hyperlink, overwrite a line with a carriage return, reverse text with
 * U+202E) goes in through `ecslog ingest` and comes out of `tasks`, `task`, `failures` and
 * `events` escaped, while `--json` gives it back exactly. Messages that quote input (invalid
 * events, unknown tasks, bad options) are escaped too; and a misspelt `--status` or an
 * impossible zone offset is one line, exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import {
  HOSTILE_SERVICE,
  HOSTILE_TASK_ID,
  HOSTILE_TEXT,
  hostileEvents,
  RAW_CONTROLS,
} from '../testing/hostile-events';
import type { EcslogRun } from '../testing/run-ecslog';
import { parseRecords, runEcslog } from '../testing/run-ecslog';

jest.setTimeout(60_000);

/** What the hostile text looks like escaped: the clear-screen and title sequences, shown. */
const SHOWN = 'maintenance\\x1b[2J\\x1b]0;ecslog: all clear\\x07';

describe('event text with terminal escapes (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-escapes-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[], stdin?: string) => runEcslog(args, stdin, env);
  const ndjson = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join('\n');
  const QUERIES: Record<string, string[]> = {
    tasks: ['tasks', '--since', '2h'],
    task: ['task', HOSTILE_TASK_ID],
    failures: ['failures', '--since', '2h'],
    events: ['events', '--service', HOSTILE_SERVICE, '--since', '2h'],
  };

  beforeAll(async () => {
    const ingest = await ecslog(['ingest', '-'], ndjson(hostileEvents(Date.now() - 3_600_000)));
    expect(ingest.stderr).toMatch(/ingested 4 inputs/);
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  function expectEscaped(run: EcslogRun): void {
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(RAW_CONTROLS);
    expect(run.stderr).not.toMatch(RAW_CONTROLS);
  }

  it.each(Object.keys(QUERIES))(
    '%s prints no ESC, BEL, CR or U+202E, and shows them escaped',
    async (name) => {
      const run = await ecslog(QUERIES[name] as string[]);

      expectEscaped(run);
      expect(run.stdout).toContain(SHOWN);
      expect(run.stdout).toContain('\\u202edesab');
    },
  );

  it('task shows the whole stopped reason, its carriage return as \\r', async () => {
    const run = await ecslog(QUERIES['task'] as string[]);

    expect(run.stdout).toMatch(
      /^Stopped reason: +maintenance.*\\rall tasks succeeded\\u202edesab$/m,
    );
  });

  it.each(Object.keys(QUERIES))('%s --json gives the text back exactly', async (name) => {
    const run = await ecslog([...(QUERIES[name] as string[]), '--json']);

    expect(run.status).toBe(0);
    const records = parseRecords(run.stdout);
    const texts = records.flatMap((record: AuditRecord) => [
      record.stoppedReason,
      record.reason,
      record.outcome.summary,
      ...(record.containers ?? []).map((container) => container.reason),
    ]);
    expect(texts.some((text) => text?.includes(HOSTILE_TEXT.split('\r')[0] as string))).toBe(true);
    if (name === 'task' || name === 'tasks')
      expect(records.map((record) => record.stoppedReason)).toContain(HOSTILE_TEXT);
    // JSON writes ESC, BEL and CR as \u escapes; U+202E goes out as it is.
    expect(run.stdout).toContain('\u202edesab');
  });

  it('ingest and map name an invalid event with its hostile value escaped', async () => {
    const invalid = { ...hostileEvents(Date.now())[0], time: HOSTILE_TEXT };

    const ingest = await ecslog(['ingest', '-'], ndjson([invalid]));
    const map = await ecslog(['map', '-'], ndjson([invalid]));

    expect(ingest.status).toBe(2);
    expect(map.status).toBe(2);
    for (const run of [ingest, map]) {
      expect(run.stderr).not.toMatch(RAW_CONTROLS);
      // The problem quotes the value as JSON (ESC as \u001b), whose backslash is then doubled.
      expect(run.stderr).toContain('is not a timestamp: "maintenance\\\\u001b[2J');
    }
  });

  it('an unknown task and an unknown option are one line each, the input quoted escaped', async () => {
    const task = await ecslog(['task', 'no\x1b[2Jsuch\u202e']);
    const option = await ecslog(['tasks', '--colour\x1b]0;title\x07']);

    expect(task.status).toBe(1);
    expect(task.stderrLines).toEqual([
      expect.stringMatching(/^ecslog: no task no\\x1b\[2Jsuch\\u202e in /),
    ]);
    expect(option.status).toBe(1);
    expect(option.stderr).toContain("unknown option '--colour\\x1b]0;title\\x07'");
    for (const run of [task, option]) expect(run.stderr).not.toMatch(RAW_CONTROLS);
  });

  it('tasks --status faild exits 1 with one line listing the accepted values', async () => {
    const run = await ecslog(['tasks', '--status', 'faild']);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toEqual([
      'ecslog: status must be one of in-progress, succeeded, failed, stopped, info, not-started, ' +
        'PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, got "faild"',
    ]);
  });

  it('tasks --status takes a last status in any case', async () => {
    const run = await ecslog(['tasks', '--since', '2h', '--status', 'stopped', '--json']);

    expect(run.status).toBe(0);
    expect(parseRecords(run.stdout).map((record) => record.taskId)).toEqual([HOSTILE_TASK_ID]);
  });

  it('--from with an impossible zone offset exits 1 with one line saying why', async () => {
    const run = await ecslog(['tasks', '--from', '2026-11-20T03:00:00+99:99']);

    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual([
      'ecslog: --from must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "2026-11-20T03:00:00+99:99": its zone offset +99:99 is impossible (hours 00-23, minutes 00-59)',
    ]);
  });
});
