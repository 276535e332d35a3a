/**
 * `ecslog simulate` end to end: N events dated no later than now, distinct seeds with distinct
 * task ARNs, and one-line errors for spans that cannot hold the events.
 */
import { runEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

/** The task ARNs of NDJSON events. */
function taskArns(stdout: string): Set<string> {
  const arns = new Set<string>();
  for (const line of stdout.split('\n'))
    if (line !== '') {
      const arn = (JSON.parse(line) as { detail?: { taskArn?: unknown } }).detail?.taskArn;
      if (typeof arn === 'string') arns.add(arn);
    }
  return arns;
}

describe('ecslog simulate (end to end)', () => {
  it('gives N events from the days before now, and seeds 11 and 12 no common task', async () => {
    const before = Date.now();
    const eleven = await runEcslog(['simulate', '--events', '1500', '--seed', '11']);
    const twelve = await runEcslog(['simulate', '--events', '1500', '--seed', '12']);

    expect(eleven.status).toBe(0);
    const lines = eleven.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1500);
    const times = lines.map((line) => Date.parse((JSON.parse(line) as { time: string }).time));
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
    expect(Math.min(...times)).toBeLessThan(before - 86_400_000);
    const shared = [...taskArns(eleven.stdout)].filter((arn) => taskArns(twelve.stdout).has(arn));
    expect(taskArns(eleven.stdout).size).toBeGreaterThan(50);
    expect(shared).toEqual([]);
  });

  it('refuses, in one line, a --start in the future or a span too short for the events', async () => {
    const future = await runEcslog(['simulate', '--start', '2999-01-01T00:00:00Z']);
    const tooShort = await runEcslog([
      'simulate',
      '--events',
      '5000',
      '--start',
      new Date(Date.now() - 2 * 86_400_000).toISOString(),
    ]);

    expect({ status: future.status, stderr: future.stderrLines }).toEqual({
      status: 1,
      stderr: [
        expect.stringMatching(/^ecslog: --start 2999-01-01T00:00:00\.000Z is in the future/),
      ],
    });
    expect({ status: tooShort.status, stderr: tooShort.stderrLines, out: tooShort.stdout }).toEqual(
      {
        status: 1,
        stderr: [
          expect.stringMatching(
            /^ecslog: 5000 events take more whole simulated days than fit between /,
          ),
        ],
        out: '',
      },
    );
  });
});
