import fc from 'fast-check';
import { classifyReason, classifyStop } from './classify-stop';
import { stopScenarioArb } from './testing';

describe('classifyStop', () => {
  it('reports a task that has not stopped as in-progress, with its desired status', () => {
    expect(
      classifyStop({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', containers: [] }),
    ).toEqual({
      status: 'in-progress',
      summary: 'RUNNING (desired STOPPED)',
    });
  });

  it('prefers a container OOM kill over the generic task reason', () => {
    const outcome = classifyStop({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        { name: 'sidecar', exitCode: 0 },
        {
          name: 'web',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ],
    });

    expect(outcome).toEqual({
      status: 'failed',
      category: 'out-of-memory',
      summary: 'container web killed: out of memory (exit 137)',
    });
  });

  it('takes the outermost error of a nested reason', () => {
    expect(
      classifyReason(
        'CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task',
      ),
    ).toBe('start-failure');
    expect(
      classifyReason('ResourceInitializationError: unable to pull secrets or registry auth'),
    ).toBe('resource-initialization');
  });

  it.each([
    ['Timeout waiting for network interface provisioning to complete.', 'resource-initialization'],
    ['CannotCreateVolumeError: failed to create volume', 'resource-initialization'],
    [
      'DockerTimeoutError: Could not transition to running; timed out after waiting 4m0s',
      'start-failure',
    ],
    ['CannotInspectContainerError: Could not transition to inspecting', 'start-failure'],
    ['InternalError: unexpected EOF', 'infrastructure'],
    [
      'Service web: ECS is performing maintenance on the underlying infrastructure hosting the task',
      'infrastructure',
    ],
    ['Container instance deregistration forced by user', 'infrastructure'],
    [
      'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/0a)',
      'health-check',
    ],
    ['Something nobody has seen before', undefined],
  ])('classifies the reason %j as %s', (reason, category) => {
    expect(classifyReason(reason)).toBe(category);
  });

  it('counts a Spot termination notice as a Spot interruption, elsewhere as infrastructure', () => {
    const stop = {
      lastStatus: 'STOPPED',
      stopCode: 'TerminationNotice',
      containers: [{ name: 'app', exitCode: 143 }],
    };

    expect(classifyStop({ ...stop, capacityProviderName: 'FARGATE_SPOT' }).category).toBe(
      'spot-interruption',
    );
    expect(classifyStop(stop).category).toBe('infrastructure');
  });

  it('notes an unexpected exit code of a deliberately stopped task', () => {
    const outcome = classifyStop({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      containers: [{ name: 'app', exitCode: 2 }],
    });

    expect(outcome).toEqual({
      status: 'stopped',
      summary: 'stopped by user (container app exited 2)',
    });
  });

  it('calls a stop with no reason and no exit codes "other"', () => {
    expect(classifyStop({ lastStatus: 'STOPPED', containers: [{ name: 'app' }] })).toEqual({
      status: 'failed',
      category: 'other',
      summary: 'stopped with no reason given',
    });
  });

  it('classifies every stop scenario as its construction says', () => {
    fc.assert(
      fc.property(
        stopScenarioArb,
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,10}$/), { minLength: 1, maxLength: 4 }),
        (scenario, names) => {
          const containers = names.map((name, index) => ({
            name,
            ...scenario.exits[index % scenario.exits.length],
          }));

          const outcome = classifyStop({
            lastStatus: 'STOPPED',
            stopCode: scenario.stopCode,
            stoppedReason: scenario.stoppedReason,
            containers,
          });

          expect(outcome.status).toBe(scenario.expected.status);
          expect(outcome.category).toBe(scenario.expected.category);
        },
      ),
    );
  });

  it('any stopped task with a container killed for memory is failed/out-of-memory, whatever else happened', () => {
    fc.assert(
      fc.property(
        stopScenarioArb,
        fc.nat(3),
        fc.constantFrom(
          'OutOfMemoryError: Container killed due to memory usage',
          'OutOfMemoryError: OOMKilled',
        ),
        (scenario, position, oomReason) => {
          const containers = [0, 1, 2, 3].map((i) => ({
            name: `c${i}`,
            ...scenario.exits[i % scenario.exits.length],
          }));
          containers[position] = { name: `c${position}`, exitCode: 137, reason: oomReason };

          const outcome = classifyStop({
            lastStatus: 'STOPPED',
            stopCode: scenario.stopCode,
            stoppedReason: scenario.stoppedReason,
            containers,
          });

          const firstKilled = containers.find((c) => c.reason?.startsWith('OutOfMemoryError'));
          expect(outcome).toMatchObject({ status: 'failed', category: 'out-of-memory' });
          expect(outcome.summary).toContain(`container ${firstKilled?.name} killed: out of memory`);
        },
      ),
    );
  });

  it('a task that has not stopped is never failed, whatever its reasons say', () => {
    fc.assert(
      fc.property(
        stopScenarioArb,
        fc.constantFrom('PROVISIONING', 'PENDING', 'RUNNING', 'STOPPING', 'DEPROVISIONING'),
        (scenario, lastStatus) => {
          const outcome = classifyStop({
            lastStatus,
            stopCode: scenario.stopCode,
            stoppedReason: scenario.stoppedReason,
            containers: [],
          });

          expect(outcome.status).toBe('in-progress');
        },
      ),
    );
  });
});
