import fc from 'fast-check';
import { classifyReason, classifyStop } from './classify-stop';
import type { TaskStopFacts } from './classify-stop';
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

  describe('expected churn: stopped, never a failure', () => {
    // The ECS guide's stopped-task errors page lists the scheduler's reason as "Scaling activity
    // initiated by (deployment deployment-id)"; ECS events carry the ecs-svc/… deployment id and
    // the ServiceSchedulerInitiated stop code. Both scale-in (desired count lowered) and a newer
    // deployment replacing old tasks stop them so.
    it('calls a task the service scheduler scaled in "scale-in"', () => {
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
          containers: [
            { name: 'web', exitCode: 143 },
            { name: 'log-router', exitCode: 0 },
          ],
        }),
      ).toEqual({
        status: 'stopped',
        churn: 'scale-in',
        summary:
          'stopped by service scheduler: Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
      });
    });

    // AWS Batch user guide, "Instance draining and task interruptions": ECS Managed Instances
    // start draining an instance 14 days after launch; its tasks stop with the reason "Task
    // stopped during instance draining". The ECS guide's "Draining Amazon ECS container
    // instances": the service scheduler replaces the service's tasks elsewhere.
    it('calls a task stopped by instance draining "instance-draining"', () => {
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task stopped during instance draining',
          containers: [{ name: 'worker', exitCode: 143 }],
        }),
      ).toEqual({
        status: 'stopped',
        churn: 'instance-draining',
        summary: 'instance drained: Task stopped during instance draining',
      });
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stoppedReason: 'Task stopped during instance draining',
          containers: [{ name: 'worker' }],
        }).churn,
      ).toBe('instance-draining');
    });

    // TaskStopCode InfrastructureHealth (ECS API enum). ECS Managed Instances' auto repair (API
    // AutoRepairConfiguration) replaces container instances whose health is IMPAIRED: the host
    // was unhealthy, not the task.
    it('calls the InfrastructureHealth stop code "infrastructure-health", not an infrastructure failure', () => {
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'InfrastructureHealth',
          stoppedReason: 'Task stopped during instance draining',
          containers: [{ name: 'api', exitCode: 137 }],
        }),
      ).toEqual({
        status: 'stopped',
        churn: 'infrastructure-health',
        summary:
          'moved off unhealthy infrastructure (InfrastructureHealth): Task stopped during instance draining',
      });
    });

    it('keeps real failures failures when the scheduler stops the task', () => {
      const scheduler = { lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' };
      // A deployment whose new tasks fail their health checks.
      expect(
        classifyStop({
          ...scheduler,
          stoppedReason:
            'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/0a1b2c3d4e5f6a7b)',
          containers: [{ name: 'web', exitCode: 143 }],
        }),
      ).toMatchObject({ status: 'failed', category: 'health-check' });
      // Killed for memory while being scaled in: the kill is what happened.
      expect(
        classifyStop({
          ...scheduler,
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
          containers: [
            {
              name: 'web',
              exitCode: 137,
              reason: 'OutOfMemoryError: Container killed due to memory usage',
            },
          ],
        }),
      ).toMatchObject({ status: 'failed', category: 'out-of-memory' });
    });

    it('does not claim churn when a container exited with a code stopping does not give', () => {
      const scaledIn = classifyStop({
        lastStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
        containers: [{ name: 'web', exitCode: 1 }],
      });
      expect(scaledIn).toEqual({
        status: 'stopped',
        summary:
          'stopped by service scheduler: Scaling activity initiated by (deployment ecs-svc/5120476253900183911) (container web exited 1)',
      });

      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'InfrastructureHealth',
          containers: [{ name: 'api', exitCode: 2 }],
        }),
      ).toEqual({
        status: 'failed',
        category: 'infrastructure',
        summary: 'InfrastructureHealth (container api exited 2)',
      });
    });

    it("leaves Spot interruptions, termination notices and a person's stop as they were", () => {
      const draining = 'Task stopped during instance draining';
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'SpotInterruption',
          stoppedReason: draining,
        }),
      ).toMatchObject({ status: 'failed', category: 'spot-interruption' });
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'TerminationNotice',
          stoppedReason: draining,
        }),
      ).toMatchObject({ status: 'failed', category: 'infrastructure' });
      expect(
        classifyStop({
          lastStatus: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
        }),
      ).toEqual({
        status: 'stopped',
        summary:
          'stopped by user: Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
      });
    });

    it('never calls churn a stop with a failure reason or an exit code stopping does not give', () => {
      const reasons = [
        'Scaling activity initiated by (deployment ecs-svc/5120476253900183911)',
        'Task stopped during instance draining',
        'Essential container in task exited',
        'Task failed container health checks',
        'OutOfMemoryError: Container killed due to memory usage',
        'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      ];
      fc.assert(
        fc.property(
          fc.option(
            fc.constantFrom(
              'ServiceSchedulerInitiated',
              'InfrastructureHealth',
              'UserInitiated',
              'EssentialContainerExited',
              'SpotInterruption',
              'TerminationNotice',
              'TaskFailedToStart',
            ),
            { nil: undefined },
          ),
          fc.option(fc.constantFrom(...reasons), { nil: undefined }),
          fc.array(
            fc.record(
              {
                exitCode: fc.oneof(fc.constantFrom(0, 1, 2, 130, 137, 139, 143, 255), fc.nat(255)),
                reason: fc.constantFrom(...reasons),
              },
              { requiredKeys: [] },
            ),
            { minLength: 1, maxLength: 3 },
          ),
          (stopCode, stoppedReason, exits) => {
            const task: TaskStopFacts = {
              lastStatus: 'STOPPED',
              stopCode,
              stoppedReason,
              containers: exits.map((exit, i) => ({ name: `c${i}`, ...exit })),
            };
            const outcome = classifyStop(task);
            if (outcome.churn === undefined) return;

            expect(outcome.status).toBe('stopped');
            expect(outcome.category).toBeUndefined();
            expect(stopCode).not.toBe('UserInitiated');
            for (const container of task.containers ?? []) {
              if (container.exitCode !== undefined)
                expect([0, 130, 137, 143]).toContain(container.exitCode);
              if (container.reason !== undefined)
                expect(classifyReason(container.reason)).toBeUndefined();
            }
            if (stoppedReason !== undefined) expect(classifyReason(stoppedReason)).toBeUndefined();
          },
        ),
      );
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
          expect(outcome.churn).toBe(scenario.expected.churn);
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
