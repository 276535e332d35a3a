import fc from 'fast-check';
import type { AuditRecord, MapResult } from './index';
import {
  ECS_DETAIL_TYPES,
  LAKE_COLUMNS,
  MAX_KEPT_DETAIL_LENGTH,
  mapEvent,
  NEWER_ECS_DETAIL_TYPES,
  toLakeRow,
} from './index';
import { loadFixture, otherEcsEventArb } from './testing';

const eventbridge = (name: string) => loadFixture(`eventbridge/${name}.json`);

function onlyRecord(result: MapResult): AuditRecord {
  if (result.kind !== 'mapped')
    throw new Error(`expected one record, got ${JSON.stringify(result)}`);
  expect(result.records).toHaveLength(1);
  return result.records[0] as AuditRecord;
}

const INSTANCE =
  'arn:aws:ecs:us-east-1:444455556666:container-instance/batch/5c0e7a2b9f4d41e6b8a3d1c7e2f09b54';
const CLUSTER = 'arn:aws:ecs:us-east-1:444455556666:cluster/batch';
const DAEMON = 'arn:aws:ecs:us-east-1:444455556666:daemon/batch/log-router';

describe('mapEvent — container instance health changes', () => {
  it('maps a healthy container runtime check to an info record of the instance, with no version', () => {
    const event = eventbridge('container-instance-health-runtime-ok');

    const record = onlyRecord(mapEvent(event));

    expect(record).toMatchObject({
      recordId: `container-instance:${INSTANCE}:health:3f1c9e27-5b8a-4d60-a2e4-7c1b0d9f8e31`,
      recordType: 'container-instance',
      detailType: 'ECS Container Instance Health Change',
      eventTime: '2026-11-20T09:14:41.000Z',
      clusterArn: CLUSTER,
      clusterName: 'batch',
      resourceArn: INSTANCE,
      ec2InstanceId: 'i-07c3e5a9b1d2f4680',
      healthStatus: 'OK',
      healthChecks: [
        {
          type: 'CONTAINER_RUNTIME',
          status: 'OK',
          lastStatusChange: '2026-11-20T09:14:25.000Z',
          lastUpdated: '2026-11-20T09:13:41.000Z',
        },
      ],
      outcome: {
        status: 'info',
        summary: 'container instance i-07c3e5a9b1d2f4680 health OK: CONTAINER_RUNTIME OK',
      },
    });
    // No version: the record never competes with state changes for the instance's latest state.
    expect(record.version).toBeUndefined();
    expect(record.capacityProviderName).toBeUndefined();
    expect(JSON.parse(record.detail ?? '')).toEqual(event['detail']);
  });

  it.each([
    ['container-instance-health-gpu-impaired', 'ACCELERATED_COMPUTE IMPAIRED (XID_79)'],
    [
      'container-instance-health-daemon-impaired',
      'DAEMON IMPAIRED (Daemon task: 7b2e41c9-0d6f-4a38-95e1-c8a3f0b6d274 is unhealthy)',
    ],
    [
      'container-instance-health-agent-impaired',
      'AGENT_CONNECTIVITY IMPAIRED (Agent disconnected since 2026-11-20T13:45:33Z)',
    ],
  ])('maps %s to an infrastructure failure naming the impaired check', (fixture, check) => {
    const record = onlyRecord(mapEvent(eventbridge(fixture)));

    expect(record).toMatchObject({
      recordType: 'container-instance',
      capacityProviderName: 'gpu-managed',
      healthStatus: 'IMPAIRED',
      outcome: {
        status: 'failed',
        category: 'infrastructure',
        summary: `container instance i-07c3e5a9b1d2f4680 health IMPAIRED: ${check}`,
      },
    });
    expect(record.healthChecks?.[0]?.statusReason).toBeDefined();
  });

  it('gives the same record for a duplicate delivery and distinct ones for distinct events', () => {
    const event = eventbridge('container-instance-health-gpu-impaired');
    const again = onlyRecord(mapEvent(structuredClone(event)));
    const other = onlyRecord(mapEvent({ ...event, id: 'b0f9e8d7-c6b5-4a39-8271-605f4e3d2c1b' }));

    expect(onlyRecord(mapEvent(event))).toEqual(again);
    expect(other.recordId).not.toBe(again.recordId);
  });

  it('leaves out optional values it cannot read and keeps the detail whole', () => {
    const event = eventbridge('container-instance-health-gpu-impaired');
    const detail = event['detail'] as Record<string, unknown>;
    const odd = {
      ...event,
      detail: {
        ...detail,
        ec2InstanceId: { id: 'i-1' },
        healthChecks: [{ status: 'OK' }, 'x', { type: 'DAEMON', lastUpdated: 'yesterday' }],
      },
    };

    const record = onlyRecord(mapEvent(odd));

    expect(record.recordType).toBe('container-instance');
    expect(record.ec2InstanceId).toBeUndefined();
    expect(record.healthChecks).toEqual([{ type: 'DAEMON' }]);
    expect(JSON.parse(record.detail ?? '')).toEqual(odd.detail);
  });

  it('lists at most 16 checks, the detail keeping them all', () => {
    const event = eventbridge('container-instance-health-runtime-ok');
    const check = { type: 'CONTAINER_RUNTIME', status: 'OK' };
    const detail = { ...(event['detail'] as object), healthChecks: Array(40).fill(check) };

    const record = onlyRecord(mapEvent({ ...event, detail }));

    expect(record.healthChecks).toHaveLength(16);
    expect(JSON.parse(record.detail ?? '').healthChecks).toHaveLength(40);
  });

  it('keeps a health change without an instance ARN as a generic record saying why', () => {
    const event = eventbridge('container-instance-health-gpu-impaired');
    const { containerInstanceArn: _, ...detail } = event['detail'] as Record<string, unknown>;

    const record = onlyRecord(mapEvent({ ...event, detail }));

    expect(record).toMatchObject({
      recordId: 'ecs-event:a8d42c60-19e7-4f3b-9c05-e6b7a1d2c943',
      recordType: 'ecs-event',
      detailType: 'ECS Container Instance Health Change',
      resourceArn: INSTANCE, // resources[0]
      clusterArn: CLUSTER,
      errorMessage:
        'not read as ECS Container Instance Health Change: detail.containerInstanceArn: is required',
      outcome: { status: 'info' },
    });
    expect(JSON.parse(record.detail ?? '')).toEqual(detail);
  });
});

describe('mapEvent — daemon events', () => {
  it('maps a daemon task that failed to run to an image-pull failure of the daemon', () => {
    const record = onlyRecord(mapEvent(eventbridge('daemon-service-action-task-failed-to-run')));

    expect(record).toMatchObject({
      recordId: 'service-action:9a3e5c71-0b2d-4f86-a4c9-6e1d8b7f2c05',
      recordType: 'service-action',
      detailType: 'ECS Daemon Service Action',
      resourceArn: DAEMON,
      clusterName: 'batch',
      eventName: 'DAEMON_TASK_START_IMPAIRED',
      eventType: 'WARNING',
      containerInstanceArn: INSTANCE,
      capacityProviderName: 'gpu-managed',
      taskArns: ['arn:aws:ecs:us-east-1:444455556666:task/batch/e41b07c3d9a2458f96c1b3d5a7e2f081'],
      outcome: {
        status: 'failed',
        category: 'image-pull',
        summary:
          'daemon log-router could not start a task on container instance 5c0e7a2b9f4d41e6b8a3d1c7e2f09b54 (TASK_FAILED_TO_RUN): Task failed to reach RUNNING status: CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      },
    });
    expect(record.serviceName).toBeUndefined();
  });

  it('maps a daemon task that could not be created to a placement failure', () => {
    const record = onlyRecord(mapEvent(eventbridge('daemon-service-action-task-creation-failed')));

    expect(record.taskArns).toBeUndefined();
    expect(record.eventTime).toBe('2026-11-20T15:21:00.000Z');
    expect(record.reason).toMatch(/^RESOURCE:CPU/);
    expect(record.outcome).toMatchObject({ status: 'failed', category: 'placement' });
  });

  it('maps a daemon deployment to a deployment record of the daemon', () => {
    const record = onlyRecord(mapEvent(eventbridge('daemon-deployment-pending')));

    expect(record).toMatchObject({
      recordId: 'deployment:e6c0a4f9-2b7d-4e13-8a5c-b9d1f3e7c062',
      recordType: 'deployment',
      detailType: 'ECS Daemon Deployment State Change',
      eventTime: '2026-11-20T16:05:41.618Z',
      resourceArn: DAEMON,
      deploymentId:
        'arn:aws:ecs:us-east-1:444455556666:daemon-deployment/batch/log-router/Qx7bN2kP4sLw9Ry1VdTe3',
      eventName: 'DAEMON_DEPLOYMENT_PENDING',
      outcome: {
        status: 'in-progress',
        summary: 'deployment Qx7bN2kP4sLw9Ry1VdTe3 of daemon log-router pending',
      },
    });
  });

  it.each([
    ['DAEMON_DEPLOYMENT_IN_PROGRESS', 'INFO', 'in-progress'],
    ['DAEMON_DEPLOYMENT_SUCCESSFUL', 'INFO', 'succeeded'],
    ['DAEMON_DEPLOYMENT_STOP_REQUESTED', 'INFO', 'failed'],
    ['DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS', 'INFO', 'in-progress'],
    ['DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL', 'INFO', 'info'],
    ['DAEMON_DEPLOYMENT_ROLLBACK_FAILED', 'ERROR', 'failed'],
    ['DAEMON_DEPLOYMENT_STOPPED', 'INFO', 'stopped'],
    ['DAEMON_DEPLOYMENT_SOMETHING_NEW', 'ERROR', 'failed'],
    ['DAEMON_DEPLOYMENT_SOMETHING_NEW', 'INFO', 'info'],
  ])('classifies %s (%s) as %s', (eventName, eventType, status) => {
    const event = eventbridge('daemon-deployment-pending');
    const detail = { ...(event['detail'] as object), eventName, eventType };

    const record = onlyRecord(mapEvent({ ...event, detail }));

    expect(record.outcome.status).toBe(status);
    expect(record.outcome.category).toBe(status === 'failed' ? 'deployment-failed' : undefined);
  });

  it('finds the daemon in resources and the cluster in its ARN when the detail names neither', () => {
    const event = eventbridge('daemon-deployment-pending');
    const { daemonArn: _, clusterArn: __, ...detail } = event['detail'] as Record<string, unknown>;

    const record = onlyRecord(mapEvent({ ...event, detail }));

    expect(record).toMatchObject({
      recordType: 'deployment',
      resourceArn: DAEMON,
      clusterArn: CLUSTER,
    });
  });

  it('keeps a daemon action without an event name as a generic record', () => {
    const event = eventbridge('daemon-service-action-task-creation-failed');
    const { eventName: _, ...detail } = event['detail'] as Record<string, unknown>;

    const record = onlyRecord(mapEvent({ ...event, detail }));

    expect(record.recordType).toBe('ecs-event');
    expect(record.errorMessage).toContain('detail.eventName: is required');
    expect(record.resourceArn).toBe(INSTANCE); // resources is empty: the detail's first ARN
  });
});

describe('mapEvent — generic records of other ECS detail-types', () => {
  const futureThing = {
    version: '0',
    id: '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
    'detail-type': 'ECS Capacity Provider State Change',
    source: 'aws.ecs',
    account: '444455556666',
    time: '2026-11-20T17:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:ecs:us-east-1:444455556666:capacity-provider/gpu-managed'],
    detail: {
      clusterArn: CLUSTER,
      eventType: 'ERROR',
      eventName: 'CAPACITY_PROVIDER_SCALING_FAILED',
      reason: 'ResourceInitializationError: could not launch instances',
      nested: { list: [1, 'two', null] },
    },
  };

  it('keeps an unknown detail-type as one ecs-event record with its kind, resource, time and detail', () => {
    const record = onlyRecord(mapEvent(futureThing));

    expect(record).toEqual({
      schemaVersion: 2,
      recordId: 'ecs-event:0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
      recordType: 'ecs-event',
      source: 'eventbridge',
      eventTime: '2026-11-20T17:00:00.000Z',
      account: '444455556666',
      region: 'us-east-1',
      clusterArn: CLUSTER,
      clusterName: 'batch',
      resourceArn: 'arn:aws:ecs:us-east-1:444455556666:capacity-provider/gpu-managed',
      serviceName: undefined,
      eventName: 'CAPACITY_PROVIDER_SCALING_FAILED',
      eventType: 'ERROR',
      deploymentId: undefined,
      reason: 'ResourceInitializationError: could not launch instances',
      taskArns: undefined,
      detailType: 'ECS Capacity Provider State Change',
      detail: JSON.stringify(futureThing.detail),
      outcome: {
        status: 'failed',
        category: 'resource-initialization',
        summary:
          'ECS Capacity Provider State Change: CAPACITY_PROVIDER_SCALING_FAILED on arn:aws:ecs:us-east-1:444455556666:capacity-provider/gpu-managed: ResourceInitializationError: could not launch instances',
      },
    });
  });

  it('gives the lake row the kind and the raw detail, and every column', () => {
    const row = toLakeRow(onlyRecord(mapEvent(futureThing)));

    expect(Object.keys(row)).toEqual(LAKE_COLUMNS.map((c) => c.name));
    expect(row).toMatchObject({
      record_type: 'ecs-event',
      detail_type: 'ECS Capacity Provider State Change',
      detail: JSON.stringify(futureThing.detail),
      detail_truncated: null,
      health_status: null,
      health_checks: null,
    });
  });

  it('gives a health change row its status and checks', () => {
    const row = toLakeRow(
      onlyRecord(mapEvent(eventbridge('container-instance-health-gpu-impaired'))),
    );

    expect(row).toMatchObject({
      record_type: 'container-instance',
      detail_type: 'ECS Container Instance Health Change',
      health_status: 'IMPAIRED',
      health_checks: [
        {
          type: 'ACCELERATED_COMPUTE',
          status: 'IMPAIRED',
          status_reason: 'XID_79',
          last_status_change: '2026-11-20T11:01:52.000Z',
          last_updated: '2026-11-20T11:01:07.000Z',
        },
      ],
    });
  });

  it('keeps a detail over the size limit cut at the limit, flagged, never dropped', () => {
    const big = { ...futureThing, detail: { blob: 'é'.repeat(40_000), more: 'x'.repeat(10) } };

    const record = onlyRecord(mapEvent(big));

    expect(record.detailTruncated).toBe(true);
    expect(record.detail).toHaveLength(MAX_KEPT_DETAIL_LENGTH);
    expect(JSON.stringify(big.detail).startsWith(record.detail ?? '-')).toBe(true);
    expect(toLakeRow(record)['detail_truncated']).toBe(true);
  });

  it('never cuts a detail inside a surrogate pair', () => {
    // `{"a":"` is 6 characters: pairs then start at even offsets, so one ends up across the limit.
    const emoji = {
      ...futureThing,
      detail: { a: `${'x'.repeat(MAX_KEPT_DETAIL_LENGTH - 7)}${'😀'.repeat(4)}` },
    };

    const record = onlyRecord(mapEvent(emoji));

    expect(record.detail).toHaveLength(MAX_KEPT_DETAIL_LENGTH - 1);
    expect(record.detail?.endsWith('x')).toBe(true);
  });

  it('keeps a detail that is not an object, and an event with no detail, with no resource', () => {
    const noResources = { ...futureThing, resources: [] };
    const scalar = onlyRecord(mapEvent({ ...noResources, detail: 'just text' }));
    const { detail: _, ...withoutDetail } = noResources;
    const none = onlyRecord(mapEvent(withoutDetail));

    expect(scalar).toMatchObject({ detail: '"just text"', resourceArn: '', clusterArn: '' });
    expect(none.detail).toBeUndefined();
    expect(none).toMatchObject({ recordType: 'ecs-event', resourceArn: '', clusterName: '' });
    expect(none.outcome.summary).toBe('ECS Capacity Provider State Change');
  });

  it('leaves a reason too long to be a field in the detail only', () => {
    const record = onlyRecord(
      mapEvent({ ...futureThing, detail: { ...futureThing.detail, reason: 'r'.repeat(5_000) } }),
    );

    expect(record.reason).toBeUndefined();
    expect(record.detail).toContain('r'.repeat(5_000));
  });

  it('finds the cluster in the resource ARN, or takes the cluster itself as the resource', () => {
    const task = 'arn:aws:ecs:us-east-1:444455556666:task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    const viaTask = onlyRecord(mapEvent({ ...futureThing, resources: [task], detail: {} }));
    const viaCluster = onlyRecord(
      mapEvent({ ...futureThing, resources: ['not-an-arn'], detail: { clusterArn: CLUSTER } }),
    );

    const viaRole = onlyRecord(
      mapEvent({ ...futureThing, resources: ['arn:aws:iam::444455556666:role/a/b'], detail: {} }),
    );

    expect(viaTask).toMatchObject({ resourceArn: task, clusterArn: CLUSTER, clusterName: 'batch' });
    expect(viaRole).toMatchObject({
      resourceArn: 'arn:aws:iam::444455556666:role/a/b',
      clusterArn: '',
    });
    expect(viaCluster).toMatchObject({ resourceArn: CLUSTER, clusterName: 'batch' });
  });

  it('is invalid only for an envelope it cannot read, keeping the input', () => {
    const { id: _, ...noId } = futureThing;
    const longType = { ...futureThing, 'detail-type': 'E'.repeat(129) };

    expect(mapEvent(noId)).toEqual({
      kind: 'invalid',
      problems: [{ path: 'id', message: 'is required' }],
      input: noId,
    });
    expect(mapEvent(longType)).toEqual({
      kind: 'invalid',
      problems: [
        { path: 'detail-type', message: "is longer than EventBridge's 128 characters (129)" },
      ],
      input: longType,
    });
  });

  it('handles a 5,000-level deep detail as the depth guard does: invalid, input kept', () => {
    const deep = JSON.parse(
      `{"version":"0","id":"x","detail-type":"ECS Future Thing","source":"aws.ecs","account":"1","time":"2026-11-20T17:00:00Z","region":"r","detail":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
    ) as unknown;

    const result = mapEvent(deep);

    expect(result).toEqual({
      kind: 'invalid',
      problems: [{ path: '', message: 'is nested deeper than 64 levels' }],
      input: deep,
    });
  });
});

describe('mapEvent — nothing from aws.ecs is dropped (properties)', () => {
  it('maps any event of a non-classic detail-type with any JSON detail to exactly one record keeping it', () => {
    fc.assert(
      fc.property(otherEcsEventArb, ({ facts, event }) => {
        const record = onlyRecord(mapEvent(event));

        expect(record.recordId.endsWith(`:${facts.id}`)).toBe(true);
        expect(record.detailType).toBe(facts.detailType);
        expect(record).toMatchObject({ account: facts.account, region: facts.region });
        const text = facts.detail === undefined ? undefined : JSON.stringify(facts.detail);
        if (text !== undefined && text.length > MAX_KEPT_DETAIL_LENGTH) {
          expect(record.detailTruncated).toBe(true);
          expect(text.startsWith(record.detail ?? '-')).toBe(true);
        } else expect(record.detail).toBe(text);
        if (record.recordType === 'ecs-event') {
          expect(record.eventTime).toBe(facts.time);
          const firstArn = facts.resources.find((r) => r.startsWith('arn:'));
          if (firstArn !== undefined) expect(record.resourceArn).toBe(firstArn);
        }
        // A record is plain JSON and has a lake row of every column.
        expect(JSON.parse(JSON.stringify(record))).toEqual(JSON.parse(JSON.stringify(record)));
        expect(Object.keys(toLakeRow(record))).toHaveLength(LAKE_COLUMNS.length);
      }),
    );
  });

  it('maps any aws.ecs event of any detail-type to one record or a clear error with the input kept', () => {
    const detailTypeArb = fc.oneof(
      fc.constantFrom(...ECS_DETAIL_TYPES.filter((t) => t !== 'AWS API Call via CloudTrail')),
      fc.constantFrom(...NEWER_ECS_DETAIL_TYPES),
      fc.string({ maxLength: 140 }),
    );
    fc.assert(
      fc.property(
        otherEcsEventArb,
        detailTypeArb,
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        ({ event }, detailType, detail, dropTime) => {
          const input: Record<string, unknown> = { ...event, 'detail-type': detailType, detail };
          if (dropTime) delete input['time'];

          const result = mapEvent(input);

          // Never ignored: an ECS event is either kept or quarantined whole.
          expect(result.kind).not.toBe('ignored');
          if (result.kind === 'mapped') expect(result.records).toHaveLength(1);
          else if (result.kind === 'invalid') {
            expect(result.input).toBe(input);
            expect(result.problems.length).toBeGreaterThan(0);
            for (const problem of result.problems) expect(problem.message).not.toBe('');
          }
          if (dropTime) expect(result.kind).toBe('invalid');
        },
      ),
    );
  });
});
