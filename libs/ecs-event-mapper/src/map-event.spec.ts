import fc from 'fast-check';
import type { AuditRecord, MapResult } from './index';
import { AUDIT_RECORD_SCHEMA_VERSION, describeProblems, mapEvent, MAX_EVENT_DEPTH } from './index';
import {
  clusterArnOf,
  cloudTrailApiCallEventArb,
  containerInstanceStateChangeArb,
  deploymentStateChangeArb,
  ecsInputArb,
  loadFixture,
  lookupEventsEventArb,
  runTaskRecordArb,
  serviceActionArb,
  taskArnOf,
  taskDefinitionArnOf,
  taskStateChangeArb,
  TASK_LIFECYCLE_FIXTURES,
  withUnknownFields,
} from './testing';

function recordsOf(result: MapResult): AuditRecord[] {
  if (result.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(result)}`);
  return result.records;
}

function onlyRecord(input: unknown): AuditRecord {
  const records = recordsOf(mapEvent(input));
  expect(records).toHaveLength(1);
  return records[0] as AuditRecord;
}

/** The reference depth (objects and arrays), for generated events of a few levels. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf));
}

const eventbridge = (name: string) => loadFixture(`eventbridge/${name}.json`);
const cloudtrail = (name: string) => loadFixture(`cloudtrail/${name}.json`);

describe('mapEvent — ECS Task State Change', () => {
  it('maps a full Fargate service task lifecycle, one record per version, in order', () => {
    const records = TASK_LIFECYCLE_FIXTURES.map((path) => onlyRecord(loadFixture(path)));

    expect(records.map((r) => r.lastStatus)).toEqual([
      'PROVISIONING',
      'PENDING',
      'ACTIVATING',
      'RUNNING',
      'DEACTIVATING',
      'STOPPING',
      'STOPPED',
    ]);
    expect(records.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(records.map((r) => r.recordId)).size).toBe(7);
    expect(records.slice(0, 6).every((r) => r.outcome.status === 'in-progress')).toBe(true);
  });

  it('reads every documented field of the stopped task', () => {
    const detail = eventbridge('task-lifecycle-07-stopped')['detail'] as Record<string, string>;
    const record = onlyRecord(eventbridge('task-lifecycle-07-stopped'));

    expect(record).toMatchObject({
      schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
      recordType: 'task',
      source: 'eventbridge',
      account: '111122223333',
      clusterArn: detail['clusterArn'],
      clusterName: 'prod-web',
      resourceArn: detail['taskArn'],
      taskDefinitionArn: detail['taskDefinitionArn'],
      family: 'web',
      serviceName: 'web',
      group: 'service:web',
      startedBy: detail['startedBy'],
      launchType: 'FARGATE',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: detail['stoppedReason'],
      outcome: { status: 'stopped' },
    });
    expect(record.taskId).toBe(detail['taskArn']?.split('/').pop());
    expect(record.recordId).toBe(`task:${detail['taskArn']}:v7`);
    expect(record.eventTime).toBe(new Date(detail['updatedAt'] as string).toISOString());
    expect(record.runMs).toBe(
      Date.parse(detail['stoppedAt'] as string) - Date.parse(detail['startedAt'] as string),
    );
    expect(record.pullMs).toBe(
      Date.parse(detail['pullStoppedAt'] as string) - Date.parse(detail['pullStartedAt'] as string),
    );
    expect(record.pendingMs).toBe(
      Date.parse(detail['startedAt'] as string) - Date.parse(detail['createdAt'] as string),
    );
    expect(record.containers?.map((c) => c.name)).toEqual(['web', 'log-router']);
    expect(record.containers?.every((c) => c.exitCode === 0)).toBe(true);
  });

  it('gives a duplicate delivery (new envelope id and time, same version) the same record', () => {
    const first = onlyRecord(eventbridge('task-lifecycle-04-running'));
    const duplicate = onlyRecord(eventbridge('task-lifecycle-04-running-duplicate'));

    expect(duplicate.recordId).toBe(first.recordId);
    expect(duplicate).toEqual(first);
  });

  it.each([
    ['task-stopped-succeeded', 'succeeded', undefined, /exited 0/],
    [
      'task-stopped-essential-exit',
      'failed',
      'essential-container-exited',
      /container api exited with code 1/,
    ],
    [
      'task-stopped-oom',
      'failed',
      'out-of-memory',
      /^container worker killed: out of memory \(exit 137\)$/,
    ],
    ['task-stopped-image-pull', 'failed', 'image-pull', /CannotPullContainerError/],
    [
      'task-stopped-resource-init',
      'failed',
      'resource-initialization',
      /ResourceInitializationError/,
    ],
    ['task-stopped-container-health', 'failed', 'health-check', /container health checks/],
    ['task-stopped-elb-health', 'failed', 'health-check', /ELB health checks/],
    ['task-stopped-spot', 'failed', 'spot-interruption', /Spot Task was interrupted/],
    ['task-stopped-user', 'stopped', undefined, /stopped by user/],
    ['task-stopped-cannot-start', 'failed', 'start-failure', /CannotStartContainerError/],
    [
      'task-stopped-infrastructure',
      'failed',
      'infrastructure',
      /Host EC2 \(instance i-[0-9a-f]+\) terminated/,
    ],
    [
      'task-lifecycle-07-stopped',
      'stopped',
      undefined,
      /stopped by service scheduler: Scaling activity/,
    ],
  ])('classifies %s as %s/%s', (fixture, status, category, summary) => {
    const record = onlyRecord(eventbridge(fixture));

    expect(record.outcome.status).toBe(status);
    expect(record.outcome.category).toBe(category);
    expect(record.outcome.summary).toMatch(summary);
    expect(record.outcome.summary).not.toContain('\n');
  });

  it("without updatedAt, takes the task's own latest time, so duplicates stay identical", () => {
    const event = eventbridge('task-lifecycle-04-running');
    const detail = { ...(event['detail'] as Record<string, unknown>) };
    delete detail['updatedAt'];

    const first = onlyRecord({ ...event, detail });
    const duplicate = onlyRecord({
      ...event,
      id: 'another-id',
      time: '2030-01-01T00:00:00Z',
      detail,
    });

    expect(first.eventTime).toBe(new Date(detail['startedAt'] as string).toISOString());
    expect(duplicate).toEqual(first);
  });

  it('keeps the stopped reason verbatim, however long', () => {
    const event = eventbridge('task-stopped-image-pull');
    const detail = event['detail'] as Record<string, unknown>;
    const longReason = `CannotPullContainerError: ${'x'.repeat(2000)}`;

    const record = onlyRecord({ ...event, detail: { ...detail, stoppedReason: longReason } });

    expect(record.stoppedReason).toBe(longReason);
    expect(record.outcome.summary.length).toBeLessThanOrEqual(300);
  });
});

describe('mapEvent — other ECS detail-types', () => {
  it('maps container instance state changes', () => {
    const draining = onlyRecord(eventbridge('container-instance-draining'));
    const disconnected = onlyRecord(eventbridge('container-instance-agent-disconnected'));

    expect(draining).toMatchObject({
      recordType: 'container-instance',
      lastStatus: 'DRAINING',
      outcome: { status: 'info' },
    });
    expect(draining.recordId).toMatch(
      /^container-instance:arn:aws:ecs:.+:container-instance\/.+:v\d+$/,
    );
    expect(draining.ec2InstanceId).toMatch(/^i-[0-9a-f]+$/);
    expect(disconnected.agentConnected).toBe(false);
    expect(disconnected.outcome.summary).toContain('agent disconnected');
  });

  it('maps service actions, placement failures as failed/placement', () => {
    const steady = onlyRecord(eventbridge('service-action-steady-state'));
    const placement = onlyRecord(eventbridge('service-action-placement-failure'));
    const impaired = onlyRecord(eventbridge('service-action-start-impaired'));

    expect(steady).toMatchObject({
      recordType: 'service-action',
      eventName: 'SERVICE_STEADY_STATE',
      serviceName: 'web',
      outcome: { status: 'info' },
    });
    expect(placement).toMatchObject({
      eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
      reason: 'RESOURCE:MEMORY',
      outcome: { status: 'failed', category: 'placement' },
    });
    expect(impaired.outcome).toMatchObject({ status: 'failed', category: 'start-failure' });
    expect(steady.recordId).toBe(
      `service-action:${eventbridge('service-action-steady-state')['id']}`,
    );
  });

  it('maps deployments, deriving the cluster from the service ARN', () => {
    const inProgress = onlyRecord(eventbridge('deployment-in-progress'));
    const completed = onlyRecord(eventbridge('deployment-completed'));
    const failed = onlyRecord(eventbridge('deployment-failed'));
    const serviceArn = (eventbridge('deployment-failed')['resources'] as string[])[0];

    expect(inProgress.outcome.status).toBe('in-progress');
    expect(completed.outcome.status).toBe('succeeded');
    expect(failed).toMatchObject({
      recordType: 'deployment',
      resourceArn: serviceArn,
      serviceName: 'web',
      clusterName: serviceArn?.split('/')[1],
      outcome: { status: 'failed', category: 'deployment-failed' },
    });
    expect(failed.deploymentId).toMatch(/^ecs-svc\//);
    expect(failed.reason).toContain('circuit breaker');
  });

  it('ignores events from other sources but keeps unknown ECS detail-types as generic records', () => {
    expect(mapEvent(eventbridge('other-source'))).toEqual({
      kind: 'ignored',
      reason: 'EventBridge source aws.ec2 is not audited',
    });
    const unknownType = {
      ...eventbridge('service-action-steady-state'),
      'detail-type': 'ECS Something New',
    };
    expect(mapEvent(unknownType)).toMatchObject({
      kind: 'mapped',
      records: [{ recordType: 'ecs-event', detailType: 'ECS Something New' }],
    });
  });
});

describe('mapEvent — CloudTrail', () => {
  it('maps a RunTask that started 3 tasks to 3 in-progress records naming the caller', () => {
    const records = recordsOf(mapEvent(cloudtrail('runtask-success')));

    expect(records).toHaveLength(3);
    expect(new Set(records.map((r) => r.recordId)).size).toBe(3);
    for (const record of records) {
      expect(record).toMatchObject({
        recordType: 'api-call',
        source: 'cloudtrail',
        eventName: 'RunTask',
        family: 'nightly-report',
        startedBy: expect.stringMatching(/^events-rule\//),
        outcome: { status: 'in-progress' },
      });
      expect(record.caller).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//);
      expect(record.resourceArn).toMatch(/:task\//);
      expect(record.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('maps a RunTask with 3 tasks and 2 placement failures to 5 records', () => {
    const records = recordsOf(mapEvent(cloudtrail('runtask-partial-placement')));

    expect(records).toHaveLength(5);
    const failures = records.filter((r) => r.outcome.status === 'failed');
    expect(failures.map((r) => r.reason)).toEqual(['RESOURCE:MEMORY', 'RESOURCE:CPU']);
    expect(failures.every((r) => r.outcome.category === 'placement')).toBe(true);
  });

  it('records a scheduled task that never started (placement failure only)', () => {
    const record = onlyRecord(cloudtrail('runtask-placement-failure-only'));

    expect(record).toMatchObject({
      eventName: 'RunTask',
      family: 'nightly-report',
      reason: 'RESOURCE:MEMORY',
      outcome: { status: 'failed', category: 'placement' },
    });
    expect(record.outcome.summary).toContain('RESOURCE:MEMORY');
  });

  it('treats non-resource RunTask failures (AGENT, ATTRIBUTE) as start failures, reason verbatim', () => {
    const records = recordsOf(mapEvent(cloudtrail('runtask-agent-failure')));

    expect(records.map((r) => [r.reason, r.outcome.category])).toEqual([
      ['AGENT', 'start-failure'],
      ['ATTRIBUTE', 'start-failure'],
    ]);
    expect(records[0]?.outcome.summary).toMatch(/could not start task gpu-render on .*: AGENT$/);
  });

  it('maps an API error to failed/api-error with code and message', () => {
    const record = onlyRecord(cloudtrail('runtask-api-error'));

    expect(record).toMatchObject({
      errorCode: 'InvalidParameterException',
      errorMessage: 'No Container Instances were found in your cluster.',
      outcome: { status: 'failed', category: 'api-error' },
    });
  });

  it('maps StartTask and StopTask', () => {
    const start = onlyRecord(cloudtrail('starttask-success'));
    const stop = onlyRecord(cloudtrail('stoptask'));

    expect(start).toMatchObject({ eventName: 'StartTask', outcome: { status: 'in-progress' } });
    expect(stop).toMatchObject({
      eventName: 'StopTask',
      reason: 'Manual stop for maintenance',
      caller: 'arn:aws:iam::111122223333:user/dana.ops',
      outcome: { status: 'info' },
    });
    expect(stop.resourceArn).toMatch(/:task\//);
    expect(stop.taskId).toBe(stop.resourceArn.split('/').pop());
  });

  it('maps other mutating calls to one info record about the service', () => {
    const update = onlyRecord(cloudtrail('update-service'));

    expect(update.resourceArn).toMatch(/:service\//);
    expect(update.serviceName).toBeDefined();
    expect(update.outcome.status).toBe('info');
  });

  describe('desired count of CreateService and UpdateService', () => {
    const withParameters = (
      name: 'create-service' | 'update-service',
      request: Record<string, unknown>,
      service: Record<string, unknown> | null,
    ) => {
      const base = cloudtrail(name);
      const response = base['responseElements'] as { service: Record<string, unknown> };
      return onlyRecord({
        ...base,
        requestParameters: { ...(base['requestParameters'] as object), ...request },
        responseElements:
          service === null ? null : { service: { ...response.service, ...service } },
      });
    };

    it('reads the count the call asked for', () => {
      expect(onlyRecord(cloudtrail('create-service'))).toMatchObject({
        eventName: 'CreateService',
        serviceName: 'web-worker',
        desiredCount: 2,
      });
      expect(onlyRecord(cloudtrail('update-service'))).toMatchObject({
        eventName: 'UpdateService',
        serviceName: 'web-api',
        desiredCount: 6,
        outcome: {
          status: 'info',
          summary:
            'UpdateService by arn:aws:sts::111122223333:assumed-role/ops-admin/sam.rivera: desired count 6',
        },
      });
    });

    it('takes the request’s count over the response’s, and the response’s when the request has none', () => {
      expect(
        withParameters('update-service', { desiredCount: 0 }, { desiredCount: 3 }),
      ).toMatchObject({ desiredCount: 0 });
      expect(
        withParameters('create-service', { desiredCount: undefined }, { desiredCount: 1 }),
      ).toMatchObject({ desiredCount: 1 });
      expect(withParameters('update-service', { desiredCount: '4' }, null).desiredCount).toBe(4);
    });

    it('has none when the call named none, or when the value is not a whole number ≥ 0', () => {
      const taskDefinitionOnly = withParameters(
        'update-service',
        { desiredCount: undefined, taskDefinition: 'web-api:43' },
        null,
      );
      expect(taskDefinitionOnly.desiredCount).toBeUndefined();
      expect(taskDefinitionOnly.outcome.summary).not.toContain('desired count');
      expect(JSON.stringify(taskDefinitionOnly)).not.toContain('desiredCount');
      for (const bad of [-1, 2.5, 'six', true, null, {}, Number.MAX_SAFE_INTEGER + 2])
        expect(
          withParameters('update-service', { desiredCount: bad }, { desiredCount: bad })
            .desiredCount,
        ).toBeUndefined();
    });

    it('is set on no other call, nor on a failed one', () => {
      const base = cloudtrail('update-service');
      const deleted = onlyRecord({ ...base, eventName: 'DeleteService' });
      const denied = onlyRecord({
        ...base,
        errorCode: 'AccessDeniedException',
        errorMessage: 'User is not authorized to perform: ecs:UpdateService',
        responseElements: null,
      });

      expect(deleted.desiredCount).toBeUndefined();
      expect(denied).toMatchObject({ outcome: { status: 'failed', category: 'api-error' } });
      expect(denied.desiredCount).toBeUndefined();
    });
  });

  it('ignores read-only calls and other event sources', () => {
    expect(mapEvent(cloudtrail('describe-tasks'))).toEqual({
      kind: 'ignored',
      reason: 'DescribeTasks is a read-only call',
    });
    expect(mapEvent(cloudtrail('non-ecs-record'))).toMatchObject({ kind: 'ignored' });
  });

  it('maps the same call identically from a log file, LookupEvents and EventBridge', () => {
    const fromFile = recordsOf(mapEvent(cloudtrail('runtask-success')));
    const lookup = loadFixture<{ Events: { CloudTrailEvent: string; EventName: string }[] }>(
      'cloudtrail/lookup-events-response.json',
    );
    const lookupEvent = lookup.Events.find(
      (e) => JSON.parse(e.CloudTrailEvent).eventID === cloudtrail('runtask-success')['eventID'],
    );
    const viaEventBridge = {
      ...eventbridge('service-action-steady-state'),
      'detail-type': 'AWS API Call via CloudTrail',
      detail: cloudtrail('runtask-success'),
    };

    expect(recordsOf(mapEvent(lookupEvent))).toEqual(fromFile);
    expect(recordsOf(mapEvent(viaEventBridge))).toEqual(fromFile);
  });

  it('maps every record of a CloudTrail log file', () => {
    const { Records } = loadFixture<{ Records: unknown[] }>('cloudtrail/log-file.json');
    const results = Records.map(mapEvent);

    expect(results.every((r) => r.kind !== 'invalid')).toBe(true);
    expect(results.filter((r) => r.kind === 'ignored').length).toBeGreaterThanOrEqual(2);
  });

  it('maps the "AWS API Call via CloudTrail" EventBridge fixture', () => {
    const records = recordsOf(mapEvent(eventbridge('cloudtrail-api-call-runtask')));

    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.source === 'cloudtrail' && r.eventName === 'RunTask')).toBe(true);
  });
});

describe('mapEvent — invalid input', () => {
  it.each([
    [null, ''],
    ['a string', ''],
    [[1, 2], ''],
    [{ hello: 'world' }, ''],
    [{ Records: [] }, 'Records'],
  ])('rejects %j with a problem at "%s"', (input, path) => {
    const result = mapEvent(input);

    expect(result).toMatchObject({ kind: 'invalid', input });
    if (result.kind === 'invalid') expect(result.problems[0]?.path).toBe(path);
  });

  it('lists every missing field of a task event with its path, keeping the input', () => {
    const event = eventbridge('task-lifecycle-04-running');
    const detail = { ...(event['detail'] as Record<string, unknown>) };
    delete detail['taskArn'];
    delete detail['version'];
    const input = {
      ...event,
      detail: { ...detail, containers: [{ name: 'web', exitCode: 'not-a-number' }] },
    };

    const result = mapEvent(input);

    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.input).toBe(input);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { path: 'detail.taskArn', message: 'is required' },
        { path: 'detail.version', message: 'is required' },
        {
          path: 'detail.containers[0].exitCode',
          message: 'must be an integer, got "not-a-number"',
        },
      ]),
    );
  });

  it('reports containers that are not objects, and tolerates numbers where strings belong', () => {
    const event = eventbridge('task-stopped-oom');
    const detail = event['detail'] as Record<string, unknown>;
    const [first] = detail['containers'] as Record<string, unknown>[];

    const broken = mapEvent({ ...event, detail: { ...detail, containers: [first, 'web', null] } });
    const notAnArray = mapEvent({ ...event, detail: { ...detail, containers: { name: 'web' } } });
    const tolerated = onlyRecord({
      ...event,
      detail: { ...detail, containers: [{ ...first, exitCode: '137', image: 42 }] },
    });

    expect(broken).toMatchObject({
      kind: 'invalid',
      problems: [
        { path: 'detail.containers[1]', message: 'must be an object, got a string' },
        { path: 'detail.containers[2]', message: 'must be an object, got null' },
      ],
    });
    expect(notAnArray).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'detail.containers', message: 'must be an array, got an object' }],
    });
    expect(tolerated.containers?.[0]).toMatchObject({ exitCode: 137, image: '42' });
  });

  it('rejects a bad envelope time and a detail that is not an object', () => {
    const event = eventbridge('service-action-steady-state');

    expect(mapEvent({ ...event, time: 'yesterday' })).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'time', message: 'is not a timestamp: "yesterday"' }],
    });
    expect(mapEvent({ ...event, detail: 'oops' })).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'detail', message: 'must be an object, got a string' }],
    });
    expect(mapEvent({ ...event, source: undefined })).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'source' }],
    });
  });

  it('rejects a deployment whose service ARN does not name its cluster', () => {
    const event = eventbridge('deployment-failed');

    const result = mapEvent({
      ...event,
      resources: ['arn:aws:ecs:eu-west-1:111122223333:service/web'],
    });

    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'resources[0]', message: expect.stringContaining('short ARN format') }],
    });
  });

  it('rejects a LookupEvents event whose CloudTrailEvent is not JSON', () => {
    const input = { EventId: 'x', CloudTrailEvent: '{"eventSource": ' };

    expect(mapEvent(input)).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'CloudTrailEvent' }],
    });
    expect(mapEvent({ CloudTrailEvent: '[]' })).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'CloudTrailEvent' }],
    });
  });

  it('rejects a CloudTrail record without eventID or a readable time', () => {
    const record = { ...cloudtrail('stoptask'), eventID: undefined, eventTime: 'soon' };

    const result = mapEvent(record);

    expect(result).toMatchObject({ kind: 'invalid' });
    if (result.kind === 'invalid')
      expect(result.problems.map((p) => p.path)).toEqual(['eventID', 'eventTime']);
  });
});

describe('mapEvent — properties', () => {
  it('is total: any JSON value gives a result, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = mapEvent(value);
        expect(['mapped', 'ignored', 'invalid']).toContain(result.kind);
      }),
    );
  });

  it('is total on damaged ECS events: any field replaced by any JSON value', () => {
    fc.assert(
      fc.property(
        ecsInputArb,
        fc.jsonValue(),
        fc.nat(),
        fc.boolean(),
        (event, junk, pick, inDetail) => {
          const target =
            inDetail && typeof event['detail'] === 'object'
              ? (event['detail'] as Record<string, unknown>)
              : event;
          const keys = Object.keys(target);
          const key = keys[pick % keys.length] as string;
          const damaged = inDetail
            ? { ...event, detail: { ...target, [key]: junk } }
            : { ...event, [key]: junk };

          const result = mapEvent(damaged);

          expect(['mapped', 'ignored', 'invalid']).toContain(result.kind);
          if (result.kind === 'invalid') expect(result.input).toBe(damaged);
        },
      ),
    );
  });

  it('makes any input nested deeper than MAX_EVENT_DEPTH invalid, whatever the depth, never throwing', () => {
    fc.assert(
      fc.property(
        ecsInputArb,
        fc.oneof(
          fc.integer({ min: 1, max: 2 * MAX_EVENT_DEPTH }),
          fc.integer({ min: 1, max: 20_000 }),
        ),
        fc.boolean(),
        (event, levels, asObjects) => {
          // `levels` arrays or objects inside each other, as an extra top-level field.
          let chain: unknown = 'core';
          for (let i = 0; i < levels; i += 1) chain = asObjects ? { k: chain } : [chain];
          const input = { ...event, xNested: chain };
          const tooDeep = Math.max(depthOf(event), 1 + levels) > MAX_EVENT_DEPTH;

          const result = mapEvent(input);

          if (tooDeep) {
            expect(result).toEqual({
              kind: 'invalid',
              problems: [{ path: '', message: `is nested deeper than ${MAX_EVENT_DEPTH} levels` }],
              input,
            });
          } else {
            expect(result.kind).not.toBe('invalid');
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('makes a LookupEvents CloudTrailEvent nested too deep invalid at that field', () => {
    const record = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

    const result = mapEvent({ EventId: 'e1', CloudTrailEvent: record });

    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'CloudTrailEvent', message: 'is nested deeper than 64 levels' }],
    });
  });

  it('maps every generated input kind, with well-formed records', () => {
    fc.assert(
      fc.property(ecsInputArb, (event) => {
        const records = recordsOf(mapEvent(event));
        for (const record of records) {
          expect(record.schemaVersion).toBe(AUDIT_RECORD_SCHEMA_VERSION);
          expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
          expect(record.clusterArn).toBe(
            `arn:aws:ecs:${record.region}:${record.account}:cluster/${record.clusterName}`,
          );
          expect(
            (record.outcome.status === 'failed') === (record.outcome.category !== undefined),
          ).toBe(true);
          const json = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
          expect(json).toEqual(record);
          // Optional fields without a value are absent from the JSON, never null.
          expect(Object.values(json)).not.toContain(null);
          expect(Object.keys(json)[0]).toBe('schemaVersion');
        }
      }),
    );
  });

  it('ids: a duplicate delivery gets the same recordId; another version or task gets another', () => {
    fc.assert(
      fc.property(
        taskStateChangeArb,
        fc.uuid(),
        fc.integer({ min: 1, max: 1000 }),
        (generated, otherId, bump) => {
          const { event } = generated;
          const detail = event['detail'] as Record<string, unknown>;
          const duplicate = { ...event, id: otherId, time: '2030-01-01T00:00:00Z' };
          const laterVersion = {
            ...event,
            detail: { ...detail, version: (detail['version'] as number) + bump },
          };
          const otherTask = { ...event, detail: { ...detail, taskArn: `${detail['taskArn']}0` } };

          const id = onlyRecord(event).recordId;

          expect(onlyRecord(duplicate).recordId).toBe(id);
          expect(onlyRecord(laterVersion).recordId).not.toBe(id);
          expect(onlyRecord(otherTask).recordId).not.toBe(id);
        },
      ),
    );
  });

  it('ids: two tasks of one task definition changing state in the same second never collide', () => {
    fc.assert(
      fc.property(taskStateChangeArb, taskStateChangeArb, (a, b) => {
        fc.pre(a.facts.taskId !== b.facts.taskId);
        const sibling = {
          ...b.event,
          time: a.event['time'],
          detail: {
            ...(a.event['detail'] as Record<string, unknown>),
            taskArn: taskArnOf({ ...a.facts, taskId: b.facts.taskId }),
          },
        };

        expect(onlyRecord(sibling).recordId).not.toBe(onlyRecord(a.event).recordId);
      }),
    );
  });

  it('ids: records of different generated inputs never share an id', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(ecsInputArb, {
          minLength: 2,
          maxLength: 30,
          selector: (e) => JSON.stringify(e),
        }),
        (events) => {
          const ids = events.flatMap((e) => recordsOf(mapEvent(e)).map((r) => r.recordId));
          const keys = events.flatMap((e) => recordsOf(mapEvent(e)).map((r) => JSON.stringify(r)));
          // The same id may only come back for the very same record (a duplicate).
          const byId = new Map<string, string>();
          ids.forEach((id, i) => {
            const previous = byId.get(id);
            if (previous !== undefined) expect(keys[i]).toBe(previous);
            byId.set(id, keys[i] as string);
          });
        },
      ),
    );
  });

  it('preservation: the generated task facts come out in the record', () => {
    fc.assert(
      fc.property(taskStateChangeArb, ({ facts, event }) => {
        const record = onlyRecord(event);

        expect(record).toMatchObject({
          recordType: 'task',
          account: facts.account,
          region: facts.region,
          clusterName: facts.clusterName,
          clusterArn: clusterArnOf(facts),
          resourceArn: taskArnOf(facts),
          taskId: facts.taskId,
          taskDefinitionArn: taskDefinitionArnOf(facts),
          family: facts.family,
          revision: facts.revision,
          group: facts.group,
          startedBy: facts.startedBy,
          launchType: facts.launchType,
          availabilityZone: facts.availabilityZone,
          cpu: facts.cpu,
          memory: facts.memory,
          lastStatus: facts.lastStatus,
          desiredStatus: facts.desiredStatus,
          version: facts.version,
          createdAt: new Date(facts.createdAtMs).toISOString(),
        });
        expect(record.serviceName).toBe(facts.serviceName);
        expect(record.capacityProviderName).toBe(facts.capacityProviderName);
        expect(record.pullMs).toBe(facts.pullMs);
        expect(record.pendingMs).toBe(facts.pendingMs);
        expect(record.runMs).toBe(facts.runMs);
        expect(record.stopCode).toBe(facts.stopCode);
        expect(record.stoppedReason).toBe(facts.stoppedReason);
        const withoutProvenance = record.containers?.map(
          ({ imageDigest: _d, runtimeId: _r, networkInterfaces: _n, ...rest }) => rest,
        );
        expect(withoutProvenance).toEqual(facts.containers);
        // Provenance: what the generated detail carries, each value in its place.
        const detail = event['detail'] as {
          containers: { imageDigest: string; runtimeId: string }[];
          attachments: { details: { name: string; value: string }[] }[];
        };
        expect(record.containers?.map((c) => [c.imageDigest, c.runtimeId])).toEqual(
          detail.containers.map((c) => [c.imageDigest, c.runtimeId]),
        );
        const eni = detail.attachments[0]?.details;
        const valueOf = (name: string) => eni?.find((d) => d.name === name)?.value;
        expect(record.network).toEqual(
          eni && {
            interfaceId: valueOf('networkInterfaceId'),
            privateIpv4: valueOf('privateIPv4Address'),
            subnetId: valueOf('subnetId'),
            macAddress: valueOf('macAddress'),
            privateDnsName: valueOf('privateDnsName'),
          },
        );
        expect(record.platformVersion).toBe(facts.launchType === 'FARGATE' ? '1.4.0' : undefined);
      }),
    );
  });

  it('preservation: container instances, service actions and deployments keep their facts', () => {
    fc.assert(
      fc.property(
        containerInstanceStateChangeArb,
        serviceActionArb,
        deploymentStateChangeArb,
        (instance, action, deployment) => {
          expect(onlyRecord(instance.event)).toMatchObject({
            clusterName: instance.facts.clusterName,
            ec2InstanceId: instance.facts.ec2InstanceId,
            agentConnected: instance.facts.agentConnected,
            lastStatus: instance.facts.status,
            version: instance.facts.version,
            runningTasksCount: instance.facts.runningTasksCount,
            pendingTasksCount: instance.facts.pendingTasksCount,
            eventTime: new Date(instance.facts.updatedAtMs).toISOString(),
          });
          for (const { facts, event } of [action, deployment]) {
            const record = onlyRecord(event);
            expect(record).toMatchObject({
              account: facts.account,
              clusterName: facts.clusterName,
              serviceName: facts.serviceName,
              eventName: facts.eventName,
              eventType: facts.eventType,
              eventTime: new Date(facts.atMs).toISOString(),
            });
            expect(record.reason).toBe(facts.reason);
          }
          expect(onlyRecord(deployment.event).deploymentId).toBe(deployment.facts.deploymentId);
        },
      ),
    );
  });

  it('preservation: RunTask gives one record per task and per failure, whatever the source', () => {
    fc.assert(
      fc.property(
        fc.oneof(runTaskRecordArb, cloudTrailApiCallEventArb, lookupEventsEventArb),
        ({ facts, event }) => {
          const records = recordsOf(mapEvent(event));

          if (facts.errorCode) {
            expect(records).toHaveLength(1);
            expect(records[0]).toMatchObject({
              errorCode: facts.errorCode,
              outcome: { status: 'failed', category: 'api-error' },
            });
            return;
          }
          expect(records).toHaveLength(
            Math.max(1, facts.taskIds.length + facts.failureReasons.length),
          );
          const started = records.filter((r) => r.outcome.status === 'in-progress');
          expect(started.map((r) => r.taskId)).toEqual(facts.taskIds);
          const failures = records.filter((r) => r.outcome.status === 'failed');
          expect(failures.map((r) => r.reason)).toEqual(facts.failureReasons);
          for (const failure of failures) {
            expect(failure.outcome.category).toBe(
              failure.reason?.startsWith('RESOURCE:') ? 'placement' : 'start-failure',
            );
          }
          for (const record of records) {
            expect(record).toMatchObject({
              caller: facts.callerArn,
              family: facts.family,
              clusterName: facts.clusterName,
              account: facts.account,
            });
          }
        },
      ),
    );
  });

  it('tolerance: unknown fields never make a valid event invalid, nor change its records', () => {
    fc.assert(
      fc.property(
        ecsInputArb,
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
        (event, extra) => {
          const original = mapEvent(event);
          const withExtras = mapEvent(withUnknownFields(extra)(event));

          expect(withExtras).toEqual(original);
        },
      ),
    );
  });

  it('tolerance: unknown enum values are kept as strings, never invalid', () => {
    fc.assert(
      fc.property(
        taskStateChangeArb,
        fc.stringMatching(/^[A-Z][A-Z_]{2,20}$/),
        ({ event }, novel) => {
          const detail = event['detail'] as Record<string, unknown>;
          const record = onlyRecord({
            ...event,
            detail: { ...detail, launchType: novel, connectivity: novel, stopCode: novel },
          });

          expect(record.launchType).toBe(novel);
          expect(record.stopCode).toBe(novel);
        },
      ),
    );
  });
});

describe('mapEvent — CloudTrail edge cases', () => {
  const stopTask = () => cloudtrail('stoptask');

  it('builds the task ARN from a bare task id when StopTask returned no task', () => {
    const record = onlyRecord({
      ...stopTask(),
      requestParameters: { cluster: 'batch', task: '0123456789abcdef0123456789abcdef' },
      responseElements: null,
    });

    expect(record.resourceArn).toBe(
      'arn:aws:ecs:eu-west-1:111122223333:task/batch/0123456789abcdef0123456789abcdef',
    );
    expect(record.taskId).toBe('0123456789abcdef0123456789abcdef');
  });

  it('uses the "default" cluster when a cluster-scoped call names none', () => {
    const runTask = cloudtrail('runtask-api-error');
    const request: Record<string, unknown> = {
      ...(runTask['requestParameters'] as Record<string, unknown>),
      group: 'service:web',
    };
    delete request['cluster'];

    const record = onlyRecord({ ...runTask, requestParameters: request });

    expect(record.clusterName).toBe('default');
    expect(record.clusterArn).toBe('arn:aws:ecs:eu-west-1:111122223333:cluster/default');
    expect(record.serviceName).toBe('web');
  });

  it('finds the cluster and subject of a call in its resource ARN or service name', () => {
    const base = cloudtrail('update-service');
    const serviceArn = 'arn:aws:ecs:eu-west-1:111122223333:service/prod-web/api';

    const tagged = onlyRecord({
      ...base,
      eventName: 'TagResource',
      requestParameters: { resourceArn: serviceArn, tags: [] },
      responseElements: {},
    });
    const updated = onlyRecord({
      ...base,
      requestParameters: { cluster: 'prod-web', service: 'api', desiredCount: 2 },
      responseElements: null,
    });

    expect(tagged).toMatchObject({
      clusterName: 'prod-web',
      resourceArn: serviceArn,
      serviceName: 'api',
    });
    expect(updated).toMatchObject({
      clusterName: 'prod-web',
      resourceArn: serviceArn,
      serviceName: 'api',
    });
  });

  it('builds ARNs in the partition of the region when the caller has no ARN', () => {
    const record = onlyRecord({
      ...stopTask(),
      awsRegion: 'cn-north-1',
      userIdentity: { type: 'AWSService', invokedBy: 'events.amazonaws.com' },
      requestParameters: { cluster: 'batch', task: '0123456789abcdef0123456789abcdef' },
      responseElements: null,
    });

    expect(record.resourceArn).toBe(
      'arn:aws-cn:ecs:cn-north-1:111122223333:task/batch/0123456789abcdef0123456789abcdef',
    );
    expect(record.caller).toBe('events.amazonaws.com');
  });

  it('ignores account-level calls that name no cluster', () => {
    const record = {
      ...cloudtrail('update-service'),
      eventName: 'RegisterTaskDefinition',
      requestParameters: { family: 'web' },
      responseElements: {},
    };

    expect(mapEvent(record)).toEqual({
      kind: 'ignored',
      reason: 'RegisterTaskDefinition is an account-level call (no cluster)',
    });
  });

  it('reads booleans and integers sent as strings, and reports other types', () => {
    const event = eventbridge('container-instance-agent-disconnected');
    const detail = event['detail'] as Record<string, unknown>;

    expect(
      onlyRecord({ ...event, detail: { ...detail, agentConnected: 'false', version: '7' } }),
    ).toMatchObject({ agentConnected: false, version: 7 });
    expect(mapEvent({ ...event, detail: { ...detail, agentConnected: 'maybe' } })).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'detail.agentConnected', message: 'must be a boolean, got "maybe"' }],
    });
  });
});

describe('describeProblems', () => {
  it('formats problems as one line', () => {
    expect(
      describeProblems([
        { path: 'detail.taskArn', message: 'is required' },
        { path: '', message: 'must be a JSON object' },
      ]),
    ).toBe('detail.taskArn: is required; must be a JSON object');
  });
});
