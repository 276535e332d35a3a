/**
 * Local mode's incidents end to end: the real `ecslog local --webhook URL` loads the simulated day
 * (delivered with duplicates and out of order) through its ingest into the notifier; `ecslog
 * incidents --json` lists exactly the incidents the day was built with, and a real loopback
 * webhook receiver gets one `opened` per incident and one `resolved` per resolved one, no message
 * twice. Then mutes, while local mode serves the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '@ecslog/incidents';
import type { WebhookReceiver } from '@ecslog/notifier/testing';
import { startWebhookReceiver } from '@ecslog/notifier/testing';
import type { ExpectedIncident } from '@ecslog/simulator';
import { simulateDay } from '@ecslog/simulator';
import type { RunningEcslog } from '../testing/run-ecslog';
import { EVENTS_DIR, runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(90_000);

/** The key of an incident as the simulator's expectation names it. */
const keyOf = (i: { kind: string; cluster: string; group: string; category?: string }) =>
  `${i.cluster} ${i.group} ${i.kind}${i.category ? ` ${i.category}` : ''}`;

interface WebhookBody {
  schema: string;
  messageId: string;
  kind: 'opened' | 'updated' | 'resolved';
  incident: { id: string };
}

describe('ecslog local --webhook: the simulated day’s incidents (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-incidents-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[]) => runEcslog(args, undefined, env);
  const expected: ExpectedIncident[] = simulateDay({ seed: 1 }).expected.incidents;
  let receiver: WebhookReceiver;
  let local: RunningEcslog | undefined;
  let listed: Incident[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    await receiver?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('says the store is empty before anything was loaded', async () => {
    const empty = await ecslog(['incidents']);

    expect({ status: empty.status, lines: empty.stderrLines }).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^ecslog: the local store in .* is empty: run `npm start`/)],
    });
  });

  it('starts local mode with the webhook, which loads the simulated day', async () => {
    local = startEcslog(['local', '--no-open', '--ui-port', '0', '--webhook', receiver.url], env);

    const out = await local.waitForOutput(/Ctrl-C stops local mode\./, 60_000);

    expect(out).toMatch(
      /^ {2}incidents {3}printed here as they open and resolve, and sent to the --webhook \(webhook\)/m,
    );
    expect(out).toMatch(/^notify: /m);
    expect(out).not.toContain(new URL(receiver.url).pathname);
  });

  it('lists exactly the incidents the day was built with, resolved or open', async () => {
    const run = await ecslog(['incidents', '--json', '--since', '2d']);

    expect(run.status).toBe(0);
    listed = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Incident);
    const shown = listed.map((incident) => ({
      key: keyOf({ ...incident.key, cluster: incident.key.clusterName }),
      resolved: incident.status === 'resolved',
    }));
    expect(shown.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      expected
        .map((incident) => ({ key: keyOf(incident), resolved: incident.resolved }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
    // One episode each: the day's duplicates and swaps opened nothing twice.
    expect(new Set(listed.map((incident) => incident.id)).size).toBe(listed.length);
    expect(listed.every((incident) => incident.episode === 1)).toBe(true);
    expect(run.stderrLines.at(-1)).toMatch(
      new RegExp(
        `^${expected.length} incidents \\(${expected.filter((i) => !i.resolved).length} open\\) opened or open between`,
      ),
    );
  });

  it('sent one opened message per incident and one resolved per resolved one, none twice', async () => {
    const bodies = await settledDeliveries(
      receiver,
      expected.length + expected.filter((i) => i.resolved).length,
    );

    const ids = bodies.map((body) => body.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(bodies.every((body) => body.schema === 'ecslog.incident-message/1')).toBe(true);
    const opened = bodies.filter((body) => body.kind === 'opened').map((body) => body.incident.id);
    const resolved = bodies
      .filter((body) => body.kind === 'resolved')
      .map((body) => body.incident.id);
    expect(opened.sort()).toEqual(listed.map((incident) => incident.id).sort());
    expect(resolved.sort()).toEqual(
      listed
        .filter((incident) => incident.status === 'resolved')
        .map((incident) => incident.id)
        .sort(),
    );
    // The Idempotency-Key is the message id: a receiver can tell a retry from a new message.
    for (const request of receiver.delivered())
      expect(request.headers['idempotency-key']).toBe(
        (JSON.parse(request.body) as WebhookBody).messageId,
      );
    // …and the terminal printed each of them as one line.
    const printed = local?.stdout().match(/^notify: .*$/gm) ?? [];
    expect(printed).toHaveLength(bodies.length);
  });

  it('shows a table, open incidents first, and only the open ones with --open', async () => {
    const table = await ecslog(['incidents', '--since', '2d']);
    const open = await ecslog(['incidents', '--open', '--json']);

    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^OPENED \(UTC\) +STATUS +CLUSTER +SERVICE\/FAMILY +KIND +FAILED RUNS +LAST FAILURE +DURATION +REASON$/,
    );
    expect(lines).toHaveLength(expected.length + 1);
    const statuses = lines.slice(1).map((line) => line.split(/\s+/)[2]);
    const openCount = expected.filter((i) => !i.resolved).length;
    expect(statuses).toEqual([
      ...Array<string>(openCount).fill('open'),
      ...Array<string>(expected.length - openCount).fill('resolved'),
    ]);
    expect(table.stdout).toMatch(/ batch +family:reindex +failure: placement +1 .*RESOURCE:MEMORY/);
    expect(table.stdout).toMatch(/ family:metrics-export +missed-run .* hourly at :\d\d/);
    expect(table.stdout).toMatch(/ service:notifications +crash-loop /);
    expect(open.stdout.trimEnd().split('\n')).toHaveLength(openCount);
  });

  it('mutes a service in a cluster named by its name, lists the mute, and unmutes it', async () => {
    const mute = await ecslog([
      'incidents',
      'mute',
      'service:web',
      '--cluster',
      'prod-web',
      '--for',
      '2h',
    ]);
    const listedMuted = await ecslog(['incidents', '--open']);
    const unmute = await ecslog(['incidents', 'unmute', 'service:web', '--cluster', 'prod-web']);
    const again = await ecslog(['incidents', 'unmute', 'service:web', '--cluster', 'prod-web']);

    expect(mute.status).toBe(0);
    expect(mute.stderrLines).toEqual([
      expect.stringMatching(/^muted service:web in prod-web until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/),
    ]);
    expect(listedMuted.stderrLines.at(-1)).toMatch(/; muted: service:web in prod-web until /);
    expect(unmute.status).toBe(0);
    expect(again.status).toBe(1);
    expect(again.stderrLines).toEqual(['ecslog: service:web in prod-web is not muted']);
  });

  it('refuses bad values in one line, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['incidents', 'mute', 'web', '--for', '2h'],
        /^ecslog: the group must be service:NAME or family:NAME/,
      ],
      [['incidents', 'mute', 'service:web'], /^ecslog: mute needs --for <duration>/],
      [
        ['incidents', 'mute', 'service:web', '--for', 'soon'],
        /^ecslog: --for must be a positive duration/,
      ],
      [['incidents', 'mute', 'service:web', '--for', '90d'], /^ecslog: --for is at most 30d/],
      [
        ['incidents', 'mute', 'service:web', '--for', '1h', '--cluster', 'nowhere'],
        /^ecslog: no incident names a cluster "nowhere"/,
      ],
      [['incidents', '--since', 'yesterday'], /^ecslog: --since must be a positive duration/],
    ];
    const runs = await Promise.all(cases.map(([args]) => ecslog(args)));

    runs.forEach((run, index) => {
      const [args, message] = cases[index] as [string[], RegExp];
      expect({ args, status: run.status, lines: run.stderrLines }).toEqual({
        args,
        status: 1,
        lines: [expect.stringMatching(message)],
      });
    });
  });
});

describe('ecslog ingest (not local mode)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-ingest-incidents-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('stores failures without opening incidents: only local mode and the stream notify', async () => {
    const env = { ECSLOG_HOME: home, TZ: 'UTC' };
    const failure = `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`;

    const ingest = await runEcslog(['ingest', '--retention-days', '3650', failure], undefined, env);
    const range = ['--from', '2026-11-19', '--to', '2026-11-21'];
    const failures = await runEcslog(['failures', ...range, '--json'], undefined, env);
    const incidents = await runEcslog(['incidents', ...range, '--json'], undefined, env);

    expect(ingest.status).toBe(0);
    expect(failures.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(incidents.status).toBe(0);
    expect(incidents.stdout).toBe('');
    expect(incidents.stderrLines.at(-1)).toMatch(/^0 incidents \(0 open\) /);
  });
});

/**
 * The webhook bodies received once no more arrive for a second (the messages are sent during the
 * load; retries, if any, come with the next ticks), at least `atLeast` of them or for 20 s.
 */
async function settledDeliveries(
  receiver: WebhookReceiver,
  atLeast: number,
): Promise<WebhookBody[]> {
  const deadline = Date.now() + 20_000;
  let count = -1;
  while (Date.now() < deadline) {
    const now = receiver.delivered().length;
    if (now === count && now >= atLeast) break;
    count = now;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return receiver.delivered().map((request) => JSON.parse(request.body) as WebhookBody);
}
