import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import type { TaskRun } from '@ecslog/task-runs';
import { taskRunOf } from '@ecslog/task-runs';
import { renderRuns } from '../commands/tasks.run';
import { BadLookupError, matchedValueOf, runLookupOf } from './run-lookup';

const STOPPED = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json')[0] as AuditRecord;
const EC2_BRIDGE = fixtureRecords('eventbridge/task-running-ec2-bridge.json')[0] as AuditRecord;
const WEB_DIGEST = 'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f';
const WEB = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web';

describe('runLookupOf', () => {
  it('reads --ip canonically, --image and --instance as given', () => {
    expect(runLookupOf({ ip: ' 2001:DB8:0:0::1 ' })).toEqual({
      kind: 'address',
      address: '2001:db8::1',
    });
    expect(runLookupOf({ image: `${WEB}:v2.13.0` })).toMatchObject({
      kind: 'image',
      reference: { repository: WEB, tag: 'v2.13.0' },
    });
    expect(runLookupOf({ instance: 'i-0f9e8d7c6b5a41302' })).toMatchObject({
      kind: 'instance',
      target: { kind: 'ec2', ec2InstanceId: 'i-0f9e8d7c6b5a41302' },
    });
    expect(runLookupOf({})).toBeUndefined();
  });

  it('refuses two lookups at once, and values that name nothing, in one line naming the option', () => {
    expect(() => runLookupOf({ ip: '10.0.0.1', image: 'web' })).toThrow(
      new BadLookupError('use one of --ip, --image, --instance, not --ip and --image'),
    );
    for (const [options, option] of [
      [{ ip: '10.0.4.300' }, '--ip'],
      [{ ip: 'web:latest' }, '--ip'],
      [{ image: 'sha256:abc' }, '--image'],
      [{ image: 'Web:Latest' }, '--image'],
      [{ instance: 'i-zz' }, '--instance'],
    ] as const) {
      const error = captured(() => runLookupOf(options));
      expect(error).toBeInstanceOf(BadLookupError);
      expect(error?.message).toMatch(new RegExp(`^${option}: \\S.*$`));
    }
  });
});

describe('the column of what matched', () => {
  const web = taskRunOf(STOPPED) as TaskRun;
  const ec2 = taskRunOf(EC2_BRIDGE) as TaskRun;

  it('gives the address, the digests the image ran as, the host', () => {
    expect(matchedValueOf(web, runLookupOf({ ip: '10.20.41.187' }) as never)).toBe('10.20.41.187');
    expect(matchedValueOf(web, runLookupOf({ image: `${WEB}:v2.13.0` }) as never)).toBe(WEB_DIGEST);
    expect(matchedValueOf(web, runLookupOf({ image: WEB_DIGEST }) as never)).toBe(WEB_DIGEST);
    expect(
      matchedValueOf(ec2, runLookupOf({ instance: EC2_BRIDGE.containerInstanceArn }) as never),
    ).toBe('9d4f1b7e2c8a4e60b3d5f8a1c7e2b946');
    expect(matchedValueOf(ec2, runLookupOf({ instance: 'i-0f9e8d7c6b5a41302' }) as never)).toBe(
      'i-0f9e8d7c6b5a41302 (9d4f1b7e2c8a4e60b3d5f8a1c7e2b946)',
    );
  });

  it('is a column of `ecslog tasks` after TASK', () => {
    const table = renderRuns(
      [web],
      { utc: true, now: Date.now() },
      runLookupOf({
        image: `${WEB}:v2.13.0`,
      }),
    );

    const [header, row] = table.trimEnd().split('\n') as [string, string];
    expect(header.split(/ {2,}/).slice(4, 6)).toEqual(['TASK', 'DIGEST']);
    expect(row.split(/ {2,}/).slice(4, 6)).toEqual([STOPPED.taskId, WEB_DIGEST]);
  });
});

function captured(act: () => unknown): Error | undefined {
  try {
    act();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
