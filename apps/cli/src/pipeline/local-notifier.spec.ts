import type { Incident, IncidentMessage } from '@ecslog/incidents';
import { incidentIdOf } from '@ecslog/incidents';
import { ChannelConfigError } from '@ecslog/notifier';
import {
  createTerminalChannel,
  isSlackWebhookUrl,
  localChannelsOf,
  messageLine,
  startTicker,
} from './local-notifier';

/** An opened message about an OOM-killed job (invented ids), with a hostile stop reason. */
function openedMessage(stoppedReason: string): IncidentMessage {
  const key = {
    clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch',
    clusterName: 'batch',
    group: 'family:invoice-export',
    kind: 'failure' as const,
    category: 'out-of-memory' as const,
  };
  const first = {
    runId: 'arn:aws:ecs:eu-west-1:111122223333:task/batch/3c1d9e0f7a8b4c2d9e0f1a2b3c4d5e6f',
    taskId: '3c1d9e0f7a8b4c2d9e0f1a2b3c4d5e6f',
    at: '2026-11-20T04:00:41.000Z',
    category: 'out-of-memory' as const,
    summary: 'container invoice-export killed: out of memory (exit 137)',
    stoppedReason,
    exitCodes: [{ container: 'invoice-export', exitCode: 137 }],
    account: '111122223333',
    region: 'eu-west-1',
  };
  const incident: Incident = {
    id: incidentIdOf(key),
    key,
    episode: 1,
    status: 'open',
    openedAt: first.at,
    lastFailureAt: first.at,
    failedRuns: 1,
    first,
    last: first,
  };
  return {
    messageId: `${incident.id}#1#opened#0`,
    kind: 'opened',
    incident,
    createdAt: '2026-11-20T04:01:00.000Z',
  };
}

describe('isSlackWebhookUrl', () => {
  it('tells a Slack incoming webhook by its path, whatever the host', () => {
    expect(
      isSlackWebhookUrl('https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/q8Xz1LmN4oP7rS2t'),
    ).toBe(true);
    expect(isSlackWebhookUrl('http://127.0.0.1:41234/services/T0ECSLOG/B0LOCAL/x9Y8z7')).toBe(true);
  });

  it('takes other paths, other shapes and non-URLs for plain webhooks', () => {
    for (const url of [
      'https://hooks.slack.com/workflows/T0AB12CD3/A0EF45GH6/52314/q8Xz1LmN4oP7rS2t',
      'https://alerts.example.com/hooks/ecslog',
      'https://alerts.example.com/services/ops/B0EF45GH6/q8Xz1',
      'http://127.0.0.1:41234/hooks/T0ECSLOG/B0RECEIVER/abc',
      'not a url',
    ])
      expect({ url, slack: isSlackWebhookUrl(url) }).toEqual({ url, slack: false });
  });
});

describe('localChannelsOf', () => {
  const print = () => undefined;

  it('prints always, and adds the webhook of the URL’s kind', () => {
    expect(localChannelsOf(undefined, print).map((c) => c.name)).toEqual(['terminal']);
    expect(
      localChannelsOf('https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/q8Xz1', print).map(
        (c) => c.name,
      ),
    ).toEqual(['terminal', 'slack']);
    expect(
      localChannelsOf('https://alerts.example.com/hooks/ecslog', print).map((c) => c.name),
    ).toEqual(['terminal', 'webhook']);
  });

  it('refuses plain http to another host without quoting the URL’s secret path', () => {
    const refuse = () => localChannelsOf('http://alerts.example.com/hooks/s3cr3t-t0ken', print);

    expect(refuse).toThrow(ChannelConfigError);
    expect(refuse).toThrow(/not loopback/);
    expect(refuse).not.toThrow(/s3cr3t-t0ken/);
  });
});

describe('the terminal channel', () => {
  it('prints a message as one line, with the terminal escapes of a stop reason made visible', async () => {
    const lines: string[] = [];
    const hostile = 'Essential container in task exited\n\u001b[2J\u001b]0;pwned\u0007 \u202eevil';

    await createTerminalChannel((line) => lines.push(line)).send(openedMessage(hostile));

    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    for (const raw of ['\n', '\r', '\u001b', '\u0007', '\u202e']) expect(line).not.toContain(raw);
    expect(line).toContain('family:invoice-export');
    expect(line).toContain('Essential container in task exited');
    expect(line).toBe(messageLine(openedMessage(hostile)));
  });
});

describe('startTicker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks every interval, never two at once, and reports a failed tick in one line', async () => {
    const reported: string[] = [];
    let running = 0;
    let most = 0;
    let calls = 0;
    const pending: (() => void)[] = [];
    const notifier = {
      tick: () => {
        calls += 1;
        running += 1;
        most = Math.max(most, running);
        return new Promise<never>((_, reject) =>
          pending.push(() => {
            running -= 1;
            reject(new Error('socket hang up\nat line 2'));
          }),
        );
      },
    };
    const ticker = startTicker(notifier, 30_000, (line) => reported.push(line));

    await jest.advanceTimersByTimeAsync(30_000);
    await jest.advanceTimersByTimeAsync(60_000); // the first tick still runs: not overlapped
    expect(calls).toBe(1);
    pending.shift()?.();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(2);
    const stopped = ticker.stop();
    pending.shift()?.();
    await stopped;
    await jest.advanceTimersByTimeAsync(120_000);

    expect(calls).toBe(2);
    expect(most).toBe(1);
    expect(reported).toEqual([
      "ecslog: the notifier's tick failed (tried again in 30 s): socket hang up\\nat line 2",
      "ecslog: the notifier's tick failed (tried again in 30 s): socket hang up\\nat line 2",
    ]);
  });
});
