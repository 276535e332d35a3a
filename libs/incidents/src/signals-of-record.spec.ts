import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { DEFAULT_NOTIFY_CONFIG } from './notify-config';
import { isScheduledStart, signalsOfRecord } from './signals-of-record';
import {
  FAMILY_EXIT_OUTCOME,
  FAMILY_PLACEMENT,
  FAMILY_SUCCEEDED,
  SERVICE_CHURN,
  SERVICE_OOM,
  SERVICE_SPOT,
  STEADY_STATE,
  taskIdOf,
  taskRecord,
  UPDATE_SERVICE,
} from './testing/records';

const config = DEFAULT_NOTIFY_CONFIG;
const PROD_WEB = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';
const BATCH = 'arn:aws:ecs:us-east-1:444455556666:cluster/batch';

describe('signalsOfRecord', () => {
  it("signals a service task's failure to its failure incident and its watch", () => {
    const signals = signalsOfRecord(SERVICE_OOM, config);

    expect(signals).toEqual([
      {
        type: 'failure',
        target: { kind: 'incident', id: `${PROD_WEB}#service:queue-worker#failure#out-of-memory` },
        key: {
          clusterArn: PROD_WEB,
          clusterName: 'prod-web',
          group: 'service:queue-worker',
          kind: 'failure',
          category: 'out-of-memory',
        },
        run: {
          runId: SERVICE_OOM.resourceArn,
          taskId: 'b1449e8faf40609955463eb597283364',
          at: '2026-11-20T05:06:41.502Z',
          category: 'out-of-memory',
          summary: 'container worker killed: out of memory (exit 137)',
          stoppedReason: 'Essential container in task exited',
          exitCodes: [
            { container: 'worker', exitCode: 137 },
            { container: 'log-router', exitCode: 0 },
          ],
          startedBy: 'ecs-svc/2718281828459045235',
          stopCode: 'EssentialContainerExited',
          account: '111122223333',
          region: 'eu-west-1',
        },
      },
      {
        type: 'failed-stop',
        target: { kind: 'service', id: `${PROD_WEB}#service:queue-worker` },
        place: {
          clusterArn: PROD_WEB,
          clusterName: 'prod-web',
          group: 'service:queue-worker',
          account: '111122223333',
          region: 'eu-west-1',
        },
        run: signals[0]?.type === 'failure' ? signals[0].run : undefined,
      },
    ]);
  });

  it('treats a Spot interruption of a service task as churn, of a family task as a failure', () => {
    expect(signalsOfRecord(SERVICE_SPOT, config)).toEqual([]);

    const familySpot = {
      ...SERVICE_SPOT,
      group: 'family:thumbnail-backfill',
      serviceName: undefined,
      startedBy: 'ops-console',
    };
    expect(signalsOfRecord(familySpot, config).map((s) => [s.type, s.target.id])).toEqual([
      ['failure', `${BATCH}#family:thumbnail-backfill#failure#spot-interruption`],
      ['failure-notice', `${BATCH}#family:thumbnail-backfill`],
    ]);
  });

  it('signals nothing for routine churn', () => {
    expect(SERVICE_CHURN.outcome.churn).toBe('scale-in');
    expect(signalsOfRecord(SERVICE_CHURN, config)).toEqual([]);
  });

  it("signals a family's succeeded scheduled run as one recovery for the family's watch and a scheduled start", () => {
    const signals = signalsOfRecord(FAMILY_SUCCEEDED, config);

    expect(signals.filter((s) => s.type !== 'scheduled-start')).toEqual([
      {
        type: 'group-recovery',
        target: { kind: 'schedule', id: `${BATCH}#family:nightly-report` },
        place: expect.objectContaining({ group: 'family:nightly-report' }),
        reason: 'next-run-succeeded',
        at: '2026-11-20T02:17:58.127Z',
      },
    ]);
    expect(signals.filter((s) => s.type === 'scheduled-start')).toEqual([
      {
        type: 'scheduled-start',
        target: { kind: 'schedule', id: `${BATCH}#family:nightly-report` },
        place: {
          clusterArn: BATCH,
          clusterName: 'batch',
          group: 'family:nightly-report',
          account: '444455556666',
          region: 'us-east-1',
        },
        runId: FAMILY_SUCCEEDED.resourceArn,
        at: '2026-11-20T02:00:03.412Z',
        startedBy: 'events-rule/nightly-report',
      },
    ]);
  });

  it("learns from a scheduled family's first state changes and stopped runs, not the states between, and fails its failed ones", () => {
    const running = taskRecord(FAMILY_SUCCEEDED, {
      taskId: taskIdOf(7),
      at: '2026-11-21T02:00:04.000Z',
      running: true,
    });
    const pending: AuditRecord = {
      ...running,
      lastStatus: 'PENDING',
      recordId: `${running.recordId}-pending`,
    };
    const provisioning: AuditRecord = { ...running, lastStatus: 'PROVISIONING' };
    const failed = taskRecord(FAMILY_SUCCEEDED, {
      taskId: taskIdOf(8),
      at: '2026-11-22T02:09:00.000Z',
      outcome: FAMILY_EXIT_OUTCOME,
    });

    expect(signalsOfRecord(running, config)).toEqual([]);
    expect(signalsOfRecord({ ...running, lastStatus: 'DEPROVISIONING' }, config)).toEqual([]);
    expect(signalsOfRecord(pending, config).map((s) => s.type)).toEqual(['scheduled-start']);
    expect(signalsOfRecord(provisioning, config)).toMatchObject([
      { type: 'scheduled-start', runId: running.resourceArn, at: running.createdAt },
    ]);
    expect(signalsOfRecord(failed, config).map((s) => s.type)).toEqual([
      'failure',
      'failure-notice',
      'scheduled-start',
    ]);
  });

  it('fails a RunTask that could not place its task at once, as a run of the family, and counts it as a scheduled start', () => {
    const signals = signalsOfRecord(FAMILY_PLACEMENT, config);

    expect(signals.map((s) => [s.type, s.target.id])).toEqual([
      [
        'failure',
        'arn:aws:ecs:eu-west-1:111122223333:cluster/batch#family:nightly-report#failure#placement',
      ],
      ['failure-notice', 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch#family:nightly-report'],
      ['scheduled-start', 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch#family:nightly-report'],
    ]);
    expect(signals[0]).toMatchObject({
      run: {
        runId: FAMILY_PLACEMENT.recordId,
        reason: 'RESOURCE:MEMORY',
        at: '2026-11-21T03:00:05.000Z',
      },
    });
    expect(signals[0]).not.toHaveProperty('run.taskId');
  });

  it('fails the service of a failed deployment, and the family of a RunTask refused with an API error', () => {
    const deployment = fixtureRecords('eventbridge/deployment-failed.json')[0];
    const refused = fixtureRecords('cloudtrail/runtask-api-error.json')[0];
    const batch = 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch';

    expect(deployment && signalsOfRecord(deployment, config)).toEqual([
      expect.objectContaining({
        type: 'failure',
        target: { kind: 'incident', id: `${PROD_WEB}#service:web#failure#deployment-failed` },
        run: expect.objectContaining({
          runId: deployment?.recordId,
          at: '2026-11-20T10:24:35.208Z',
          reason: 'ECS deployment circuit breaker: task failed to start.',
        }),
      }),
      expect.objectContaining({
        type: 'failure-notice',
        target: { kind: 'service', id: `${PROD_WEB}#service:web` },
        incident: 'failure#deployment-failed',
        at: '2026-11-20T10:24:35.208Z',
      }),
    ]);
    expect(refused && signalsOfRecord(refused, config).map((s) => [s.type, s.target.id])).toEqual([
      ['failure', `${batch}#family:weekly-cleanup#failure#api-error`],
      ['failure-notice', `${batch}#family:weekly-cleanup`],
      ['scheduled-start', `${batch}#family:weekly-cleanup`],
    ]);
    const completed = deployment && {
      ...deployment,
      outcome: { status: 'succeeded' as const, summary: 'completed' },
    };
    expect(completed && signalsOfRecord(completed, config)).toEqual([]);
    expect(refused && signalsOfRecord({ ...refused, family: undefined }, config)).toEqual([]);
    const byHand = refused && { ...refused, startedBy: undefined };
    expect(byHand && signalsOfRecord(byHand, config).map((s) => s.type)).toEqual([
      'failure',
      'failure-notice',
    ]);
  });

  it('signals a steady state as one recovery for the service’s watch, not one per incident', () => {
    expect(signalsOfRecord(STEADY_STATE, config)).toEqual([
      {
        type: 'group-recovery',
        target: { kind: 'service', id: `${PROD_WEB}#service:web` },
        place: expect.objectContaining({ clusterArn: PROD_WEB, group: 'service:web' }),
        reason: 'steady-state',
        at: '2026-11-20T03:06:14.902Z',
      },
    ]);
  });

  it('signals the desired count of CreateService and UpdateService calls to the service watch', () => {
    const created = fixtureRecords('cloudtrail/create-service.json')[0];

    expect(signalsOfRecord(UPDATE_SERVICE, config)).toEqual([
      {
        type: 'desired-count',
        target: { kind: 'service', id: `${PROD_WEB}#service:web-api` },
        place: {
          clusterArn: PROD_WEB,
          clusterName: 'prod-web',
          group: 'service:web-api',
          account: '111122223333',
          region: 'eu-west-1',
        },
        desiredCount: 6,
        at: '2026-11-20T02:58:44.000Z',
      },
    ]);
    expect(created && signalsOfRecord(created, config)).toMatchObject([{ desiredCount: 2 }]);
  });

  it('signals nothing for calls without a desired count, other service actions and other records', () => {
    const { desiredCount: _dc, ...withoutCount } = UPDATE_SERVICE;
    const placementAction = fixtureRecords('eventbridge/service-action-placement-failure.json')[0];
    const instance = fixtureRecords('eventbridge/container-instance-draining.json')[0];
    const stopTask = fixtureRecords('cloudtrail/stoptask.json')[0];

    expect(signalsOfRecord(withoutCount, config)).toEqual([]);
    expect(signalsOfRecord({ ...UPDATE_SERVICE, desiredCount: -1 }, config)).toEqual([]);
    expect(signalsOfRecord({ ...UPDATE_SERVICE, serviceName: undefined }, config)).toEqual([]);
    expect(placementAction && signalsOfRecord(placementAction, config)).toEqual([]);
    expect(instance && signalsOfRecord(instance, config)).toEqual([]);
    expect(stopTask && signalsOfRecord(stopTask, config)).toEqual([]);
    expect(signalsOfRecord({ ...STEADY_STATE, serviceName: undefined }, config)).toEqual([]);
  });

  it('reads the group from the service or family when the record has none, and skips a run without either', () => {
    const noGroup = { ...SERVICE_OOM, group: undefined };
    const nothing = { ...SERVICE_OOM, group: undefined, serviceName: undefined, family: undefined };

    expect(signalsOfRecord(noGroup, config)[0]?.target.id).toContain('#service:queue-worker#');
    expect(signalsOfRecord(nothing, config)).toEqual([]);
  });

  it('knows EventBridge rules and EventBridge Scheduler as schedules', () => {
    expect(isScheduledStart('events-rule/nightly-report')).toBe(true);
    expect(isScheduledStart('chronos-schedule/nightly-report')).toBe(true);
    expect(isScheduledStart('ecs-svc/2718281828459045235')).toBe(false);
    expect(isScheduledStart(undefined)).toBe(false);
  });
});
