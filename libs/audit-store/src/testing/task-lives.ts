/**
 * Generators of whole task lives as the store receives them, for the store's properties: built
 * from `@ecslog/ecs-event-mapper/testing`'s facts and event builders and mapped by the real
 * mapper, so every record is one the ingest path could write.
 *
 * A life is one of:
 * - `stopped`: every state change from PROVISIONING to STOPPED (versions 1…n, createdAt fixed,
 *   stoppedAt fixed once STOPPED), lasting from seconds to 45 days; sometimes also the RunTask call
 *   that started it and the StopTask call that stopped it;
 * - `open`: the state changes up to PENDING or RUNNING, still running at any age;
 * - `never-started`: a RunTask call that could not place its tasks (one run per failure);
 * - `calls-only`: a task known only by its RunTask call, sometimes also its StopTask call.
 *
 * Times are drawn near {@link LIVES_EPOCH}, and often exactly on (or a millisecond beside) a UTC
 * midnight or hour boundary, where carries begin and end.
 */
import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { StopScenario, TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  loadFixture,
  runTaskRecordOf,
  sdkDate,
  stopScenarioArb,
  taskFactsArb,
  taskLifecycleEvents,
} from '@ecslog/ecs-event-mapper/testing';

export type TaskLifeKind = 'stopped' | 'open' | 'never-started' | 'calls-only';

export interface TaskLife {
  kind: TaskLifeKind;
  /** Every record of the life, oldest first. */
  records: AuditRecord[];
}

export const LIVES_EPOCH = Date.UTC(2026, 10, 20);
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Lives start from 40 days before the epoch to 5 days after it. */
const FIRST_START = LIVES_EPOCH - 40 * DAY_MS;
const LAST_START = LIVES_EPOCH + 5 * DAY_MS;
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
/** Few clusters and groups, so that scoped queries find several runs each. */
export const LIFE_CLUSTERS = ['prod', 'batch'] as const;
const SERVICES = ['web', 'api'] as const;
const FAMILIES = ['report', 'etl'] as const;

/** An instant in [min, max]: uniform, or on a UTC midnight or hour boundary (±1 ms). */
export function instantArb(min: number, max: number): fc.Arbitrary<number> {
  const boundary = fc
    .record({
      unit: fc.constantFrom(HOUR_MS, DAY_MS),
      at: fc.integer({ min, max }),
      nudge: fc.constantFrom(-1, 0, 0, 1),
    })
    .map(({ unit, at, nudge }) =>
      Math.min(max, Math.max(min, Math.floor(at / unit) * unit + nudge)),
    );
  return fc.oneof(fc.integer({ min, max }), boundary);
}

/** How long a life lasts: seconds, hours, days, or 30+ days. */
const durationArb = fc.oneof(
  fc.integer({ min: 10_000, max: HOUR_MS }),
  fc.integer({ min: HOUR_MS, max: 2 * DAY_MS }),
  fc.integer({ min: 2 * DAY_MS, max: 45 * DAY_MS }),
  fc.integer({ min: 30 * DAY_MS, max: 45 * DAY_MS }),
);

const groupArb = fc.oneof(
  fc.constantFrom(...SERVICES).map((service) => ({ service })),
  fc.constantFrom(...FAMILIES).map((family) => ({ family })),
);

function recordsOf(event: unknown): AuditRecord[] {
  const result = mapEvent(event);
  if (result.kind !== 'mapped') throw new Error(`a generated event did not map: ${result.kind}`);
  return result.records;
}

/** The task's facts, placed in one of the few clusters and groups. */
const placedFactsArb = fc
  .record({
    facts: taskFactsArb,
    clusterName: fc.constantFrom(...LIFE_CLUSTERS),
    group: groupArb,
    ec2: fc.boolean(),
  })
  .map(({ facts, clusterName, group, ec2 }): TaskFacts => {
    const service = 'service' in group ? group.service : undefined;
    const family = 'family' in group ? group.family : facts.family;
    return {
      ...facts,
      region: REGION,
      account: ACCOUNT,
      clusterName,
      family,
      group: service ? `service:${service}` : `family:${family}`,
      serviceName: service,
      startedBy: service ? `ecs-svc/1234567890123456789` : `events-rule/${family}`,
      launchType: ec2 ? 'EC2' : 'FARGATE',
      capacityProviderName: undefined,
      availabilityZone: `${REGION}a`,
    };
  });

/** The RunTask call that started `taskId` at `atMs` (its response's createdAt, second precision). */
function runTaskCallOf(facts: TaskFacts, atMs: number, eventId: string): AuditRecord[] {
  return recordsOf(
    runTaskRecordOf({
      eventId,
      region: facts.region,
      account: facts.account,
      clusterName: facts.clusterName,
      family: facts.family,
      revision: facts.revision,
      callerArn: `arn:aws:sts::${facts.account}:assumed-role/ecsEventsRole/0123456789abcdef`,
      atMs,
      taskIds: [facts.taskId],
      failureReasons: [],
    }),
  );
}

const STOP_TASK_FIXTURE = 'cloudtrail/stoptask.json';
const FIXTURE_TASK_ID = 'e1e979a9c1e2431f8e34b4e4de224c72';
let stopTaskFixture: string | undefined;

/** The StopTask call (the CloudTrail fixture's, moved to this task and time). */
function stopTaskCallOf(
  facts: TaskFacts,
  createdAtMs: number,
  atMs: number,
  eventId: string,
): AuditRecord[] {
  stopTaskFixture ??= JSON.stringify(loadFixture(STOP_TASK_FIXTURE));
  const text = stopTaskFixture
    .replaceAll(FIXTURE_TASK_ID, facts.taskId)
    .replaceAll('/batch/', `/${facts.clusterName}/`)
    .replaceAll('cluster/batch"', `cluster/${facts.clusterName}"`)
    .replaceAll('"cluster":"batch"', `"cluster":"${facts.clusterName}"`);
  const call = JSON.parse(text) as Record<string, unknown> & {
    responseElements: { task: Record<string, unknown> };
  };
  const seconds = `${new Date(atMs).toISOString().slice(0, 19)}Z`;
  const task = call.responseElements.task;
  for (const field of ['createdAt', 'connectivityAt', 'pullStartedAt'])
    task[field] = sdkDate(createdAtMs);
  for (const field of ['pullStoppedAt', 'startedAt']) task[field] = sdkDate(createdAtMs + 1_000);
  task['stoppingAt'] = sdkDate(atMs);
  task['group'] = facts.group;
  task['startedBy'] = facts.startedBy;
  return recordsOf({ ...call, eventTime: seconds, eventID: eventId });
}

const stateChangeLifeArb = (open: boolean) =>
  fc
    .record({
      facts: placedFactsArb,
      scenario: stopScenarioArb,
      createdAtMs: instantArb(FIRST_START, LAST_START),
      duration: durationArb,
      endAtBoundary: instantArb(FIRST_START, LAST_START + 45 * DAY_MS),
      onBoundary: fc.boolean(),
      pullMs: fc.integer({ min: 1_000, max: 60_000 }),
      openAt: fc.constantFrom('PENDING', 'RUNNING', 'RUNNING'),
      ids: fc.array(fc.uuid(), { minLength: 8, maxLength: 8 }),
      withRunTask: fc.boolean(),
      withStopTask: fc.boolean(),
    })
    .map((g): TaskLife => {
      const createdAtMs = g.createdAtMs;
      const pendingMs = g.pullMs + 2_000;
      // The end: createdAt + duration, or (as often) a boundary instant after the start.
      const boundaryEnd = g.endAtBoundary > createdAtMs + pendingMs ? g.endAtBoundary : undefined;
      const endMs = g.onBoundary && boundaryEnd ? boundaryEnd : createdAtMs + g.duration;
      const base: TaskFacts & { scenario?: StopScenario } = {
        ...g.facts,
        createdAtMs,
        pullMs: g.pullMs,
        pendingMs,
        version: 1,
      };
      const final: TaskFacts & { scenario?: StopScenario } = open
        ? {
            ...base,
            lastStatus: g.openAt,
            desiredStatus: 'RUNNING',
            runMs: undefined,
            stopCode: undefined,
            stoppedReason: undefined,
          }
        : {
            ...base,
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            runMs: Math.max(10_000, endMs - createdAtMs - pendingMs),
            stopCode: g.scenario.stopCode,
            stoppedReason: g.scenario.stoppedReason,
            scenario: g.scenario,
            containers: g.facts.containers.map((container, index) => {
              const exit = g.scenario.exits[index % g.scenario.exits.length];
              return {
                name: container.name,
                image: container.image,
                lastStatus: 'STOPPED',
                // A task that started has exited containers (the lifecycle goes through RUNNING).
                exitCode: exit?.exitCode ?? 0,
                ...(exit?.reason !== undefined ? { reason: exit.reason } : {}),
              };
            }),
          };
      const records = taskLifecycleEvents(final, g.ids).flatMap(({ event }) => recordsOf(event));
      if (g.withRunTask)
        records.unshift(...runTaskCallOf(g.facts, createdAtMs, g.ids[7] as string));
      const stopping = records.find((r) => r.recordType === 'task' && r.stoppingAt !== undefined);
      if (!open && g.withStopTask && stopping?.stoppingAt !== undefined)
        // The call comes before ECS records the task stopping.
        records.push(
          ...stopTaskCallOf(
            g.facts,
            createdAtMs,
            Math.max(createdAtMs, Date.parse(stopping.stoppingAt) - 1_000),
            g.ids[6] as string,
          ),
        );
      return { kind: open ? 'open' : 'stopped', records: byTime(records) };
    });

const neverStartedLifeArb = fc
  .record({
    facts: placedFactsArb,
    atMs: instantArb(FIRST_START, LAST_START),
    reasons: fc.array(fc.constantFrom('RESOURCE:MEMORY', 'RESOURCE:CPU', 'AGENT', 'ATTRIBUTE'), {
      minLength: 1,
      maxLength: 3,
    }),
    eventId: fc.uuid(),
  })
  .map(({ facts, atMs, reasons, eventId }): TaskLife => ({
    kind: 'never-started',
    records: recordsOf(
      runTaskRecordOf({
        eventId,
        region: facts.region,
        account: facts.account,
        clusterName: facts.clusterName,
        family: facts.family,
        revision: facts.revision,
        callerArn: `arn:aws:sts::${facts.account}:assumed-role/ecsEventsRole/0123456789abcdef`,
        atMs,
        taskIds: [],
        failureReasons: reasons,
      }),
    ),
  }));

const callsOnlyLifeArb = fc
  .record({
    facts: placedFactsArb,
    atMs: instantArb(FIRST_START, LAST_START),
    duration: durationArb,
    stopped: fc.boolean(),
    ids: fc.tuple(fc.uuid(), fc.uuid()),
  })
  .map(({ facts, atMs, duration, stopped, ids }): TaskLife => {
    const seconds = Math.floor(atMs / 1000) * 1000;
    const records = runTaskCallOf(facts, atMs, ids[0]);
    if (stopped) records.push(...stopTaskCallOf(facts, seconds, atMs + duration, ids[1]));
    return { kind: 'calls-only', records };
  });

/** One task life of any kind, mostly state changes. */
export const taskLifeArb: fc.Arbitrary<TaskLife> = fc.oneof(
  { weight: 4, arbitrary: stateChangeLifeArb(false) },
  { weight: 3, arbitrary: stateChangeLifeArb(true) },
  { weight: 1, arbitrary: neverStartedLifeArb },
  { weight: 2, arbitrary: callsOnlyLifeArb },
);

/** Lives of distinct tasks (and distinct calls). */
export function taskLivesArb(constraints: {
  minLength?: number;
  maxLength: number;
}): fc.Arbitrary<TaskLife[]> {
  return fc.uniqueArray(taskLifeArb, {
    ...constraints,
    selector: (life) => (life.records[0] as AuditRecord).recordId,
  });
}

/**
 * The records of some lives as they may be delivered: shuffled, some repeated, cut into calls of
 * 1–`maxCall` records.
 */
export function deliveriesOf(
  records: readonly AuditRecord[],
  maxCall = 25,
): fc.Arbitrary<AuditRecord[][]> {
  return fc
    .record({
      repeats: fc.array(fc.nat(Math.max(0, records.length - 1)), {
        maxLength: Math.ceil(records.length / 3),
      }),
      callSizes: fc.array(fc.integer({ min: 1, max: maxCall }), { minLength: 1, maxLength: 8 }),
    })
    .chain(({ repeats, callSizes }) => {
      const all = [...records, ...(records.length > 0 ? repeats.map((i) => records[i]) : [])];
      return fc
        .shuffledSubarray(all as AuditRecord[], { minLength: all.length, maxLength: all.length })
        .map((delivered) => {
          const calls: AuditRecord[][] = [];
          for (let start = 0, k = 0; start < delivered.length; k += 1) {
            const size = callSizes[k % callSizes.length] as number;
            calls.push(delivered.slice(start, start + size));
            start += size;
          }
          return calls;
        });
    });
}

function byTime(records: AuditRecord[]): AuditRecord[] {
  return [...records].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}
