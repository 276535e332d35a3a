/**
 * Realistic traffic: whole task lifecycles (every state change of each task, in version order)
 * overlapping in time, with container instance, service and API-call events mixed in, in the
 * proportions of {@link LIVE_TRAFFIC_MIX}, sorted by time as a stream delivers them.
 */
import fc from 'fast-check';
import type { Generated, StopScenario, TaskFacts } from './arbitraries';
import {
  cloudTrailApiCallEventArb,
  containerInstanceStateChangeArb,
  deploymentStateChangeArb,
  envelopeOf,
  LIVE_TRAFFIC_MIX,
  lookupEventsEventArb,
  runTaskRecordArb,
  serviceActionArb,
  stopScenarioArb,
  taskArnOf,
  taskDetailOf,
  taskFactsArb,
  TASK_STATUSES,
} from './arbitraries';

type FinalTask = TaskFacts & { scenario?: StopScenario };

const STARTED_PATH: readonly string[] = TASK_STATUSES;
const NEVER_STARTED_PATH = ['PROVISIONING', 'PENDING', 'DEPROVISIONING', 'STOPPED'];
const EC2_STARTED_PATH = ['PENDING', 'RUNNING', 'STOPPED'];
const EC2_NEVER_STARTED_PATH = ['PENDING', 'STOPPED'];

/**
 * Every state change of a task that ended as `final` describes (a STOPPED task: the whole
 * lifecycle; otherwise up to its status), each with the next version and a consistent time, as
 * ECS Task State Change events. `ids` supplies the envelope ids, one per event.
 */
export function taskLifecycleEvents(
  final: FinalTask,
  ids: readonly string[],
): { timeMs: number; event: Record<string, unknown> }[] {
  const started = final.pendingMs !== undefined || final.lastStatus !== 'STOPPED';
  const ec2 = final.launchType === 'EC2' || final.launchType === 'EXTERNAL';
  const fullPath = ec2
    ? started
      ? EC2_STARTED_PATH
      : EC2_NEVER_STARTED_PATH
    : started
      ? STARTED_PATH
      : NEVER_STARTED_PATH;
  const end = fullPath.indexOf(final.lastStatus);
  const path = end >= 0 ? fullPath.slice(0, end + 1) : fullPath;
  // A task that never started stops 5 s after creation, as taskDetailOf dates it.
  const startedAtMs = final.createdAtMs + (final.pendingMs ?? 0);
  const stoppedAtMs = started ? startedAtMs + (final.runMs ?? 5_000) : final.createdAtMs + 5_000;
  return path.map((status, index) => {
    const running = STARTED_PATH.indexOf(status) >= STARTED_PATH.indexOf('RUNNING');
    const stopping =
      STARTED_PATH.indexOf(status) >= STARTED_PATH.indexOf('DEACTIVATING') || status === 'STOPPED';
    const stopped = status === 'STOPPED';
    const timeMs =
      index === 0
        ? final.createdAtMs
        : stopping
          ? stoppedAtMs - (path.length - 1 - index) * 2_000
          : running
            ? startedAtMs
            : final.createdAtMs + index * 1_000;
    const step: TaskFacts = {
      ...final,
      lastStatus: status,
      desiredStatus: stopping ? 'STOPPED' : 'RUNNING',
      version: index + 1,
      pullMs: started && (running || status === 'ACTIVATING') ? final.pullMs : undefined,
      pendingMs: running && started ? final.pendingMs : undefined,
      runMs: stopped ? final.runMs : undefined,
      stopCode: stopping ? final.stopCode : undefined,
      stoppedReason: stopping ? final.stoppedReason : undefined,
      containers: final.containers.map((c) =>
        stopped ? c : { name: c.name, image: c.image, lastStatus: running ? 'RUNNING' : 'PENDING' },
      ),
      updatedAtMs: timeMs,
    };
    const event = envelopeOf('ECS Task State Change', taskDetailOf(step), {
      id: ids[index % ids.length] as string,
      account: final.account,
      region: final.region,
      timeMs: timeMs + 300,
      resources: [taskArnOf(final)],
    });
    return { timeMs, event };
  });
}

/**
 * The event moved to `ms`: its envelope time and the time of the change it carries (a detail's
 * `updatedAt`/`createdAt`, a CloudTrail record's `eventTime`, also inside a LookupEvents event).
 */
export function retimed(event: Record<string, unknown>, ms: number): Record<string, unknown> {
  const iso = new Date(ms).toISOString();
  const seconds = `${iso.slice(0, 19)}Z`;
  if (typeof event['CloudTrailEvent'] === 'string') {
    const record = JSON.parse(event['CloudTrailEvent']) as Record<string, unknown>;
    return {
      ...event,
      EventTime: seconds,
      CloudTrailEvent: JSON.stringify({ ...record, eventTime: seconds }),
    };
  }
  if ('eventSource' in event) return { ...event, eventTime: seconds };
  const detail = { ...(event['detail'] as Record<string, unknown>) };
  if ('eventSource' in detail) detail['eventTime'] = seconds;
  for (const field of ['updatedAt', 'createdAt']) if (field in detail) detail[field] = iso;
  return { ...event, time: seconds, detail };
}

/**
 * How many services and scheduled families the traffic's tasks come from, and how many container
 * instances its EC2 tasks and instance events share: a real account runs a few dozen workloads
 * whose tasks share their images, on instances that live for days — not one of each per task.
 */
export const LIVE_WORKLOADS = 48;
export const LIVE_CONTAINER_INSTANCES = 24;
const LIVE_CLUSTERS = 4;

/** The traffic's workloads: what its tasks share with the other tasks of their service or family. */
function workloadsOf(seed: number) {
  const templates = fc.sample(taskFactsArb, { numRuns: LIVE_WORKLOADS, seed: seed + 101 });
  const { region, account } = templates[0] as TaskFacts;
  const clusters = templates.slice(0, LIVE_CLUSTERS).map((t) => t.clusterName);
  const workloads = templates.map((t, i) => ({
    region,
    account,
    clusterName: clusters[i % LIVE_CLUSTERS] as string,
    family: t.family,
    revision: t.revision,
    group: t.group,
    serviceName: t.serviceName,
    startedBy: t.startedBy,
    launchType: t.launchType,
    capacityProviderName: t.capacityProviderName,
    containers: t.containers.map(({ name, image }) => ({ name, image })),
  }));
  const instances = fc
    .sample(
      fc.record({
        id: fc.stringMatching(/^[0-9a-f]{32}$/),
        ec2: fc.stringMatching(/^[0-9a-f]{17}$/),
      }),
      { numRuns: LIVE_CONTAINER_INSTANCES, seed: seed + 102 },
    )
    .map(({ id, ec2 }, i) => {
      const clusterName = clusters[i % LIVE_CLUSTERS] as string;
      return {
        clusterName,
        arn: `arn:aws:ecs:${region}:${account}:container-instance/${clusterName}/${id}`,
        ec2InstanceId: `i-${ec2}`,
      };
    });
  return { region, account, workloads, instances };
}

/** Launch types whose tasks run on a container instance. */
const ON_INSTANCE = new Set(['EC2', 'EXTERNAL', 'MANAGED_INSTANCES']);

export interface LiveTrafficOptions {
  /** About how many events (the last lifecycle may overrun by a few). */
  events: number;
  seed: number;
  /** The window the traffic spans, starting 2026-11-20T00:00Z (default 6 hours). */
  hours?: number;
}

/**
 * A deterministic stream of realistic traffic, oldest first: task lifecycles whose tasks start
 * uniformly over the window and run up to 30 minutes, and the other kinds in their live shares.
 *
 * @example
 * const events = sampleLiveTraffic({ events: 10_000, seed: 42 });
 */
export function sampleLiveTraffic(options: LiveTrafficOptions): Record<string, unknown>[] {
  const windowMs = (options.hours ?? 6) * 3_600_000;
  const start = Date.UTC(2026, 10, 20);
  const taskShare = LIVE_TRAFFIC_MIX['task-state-change'] / 100;
  const taskEvents = Math.round(options.events * taskShare);
  const timed: { timeMs: number; event: Record<string, unknown> }[] = [];

  const { region, account, workloads, instances } = workloadsOf(options.seed);
  const finals = fc.sample(
    fc.record({
      facts: taskFactsArb,
      workload: fc.nat(),
      instance: fc.nat(),
      scenario: stopScenarioArb,
      startMs: fc.integer({ min: 0, max: windowMs }),
      pullMs: fc.integer({ min: 1_000, max: 60_000 }),
      runMs: fc.integer({ min: 10_000, max: 30 * 60_000 }),
      ids: fc.array(fc.uuid(), { minLength: 8, maxLength: 8 }),
      stillRunning: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { numRuns: Math.max(1, Math.ceil(taskEvents / 3)), seed: options.seed },
  );
  let produced = 0;
  for (const { facts: own, workload: w, instance: n, ...task } of finals) {
    if (produced >= taskEvents) break;
    const { scenario, startMs, pullMs, runMs, ids, stillRunning } = task;
    const workload = workloads[w % workloads.length] as (typeof workloads)[number];
    const onCluster = instances.filter((i) => i.clusterName === workload.clusterName);
    const facts: TaskFacts = {
      ...own,
      ...workload,
      containers: workload.containers.map((c) => ({
        ...c,
        lastStatus: own.containers[0]?.lastStatus ?? 'RUNNING',
      })),
      containerInstanceArn: ON_INSTANCE.has(workload.launchType)
        ? onCluster[n % onCluster.length]?.arn
        : undefined,
    };
    // Nine tasks in ten have finished within the window; the rest are still running.
    const started = stillRunning || scenario.exits.some((exit) => exit.exitCode !== undefined);
    const base: FinalTask = {
      ...facts,
      createdAtMs: start + startMs,
      pullMs,
      pendingMs: started ? pullMs + 2_000 : undefined,
    };
    const final: FinalTask = stillRunning
      ? {
          ...base,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          runMs: undefined,
          stopCode: undefined,
          stoppedReason: undefined,
        }
      : {
          ...base,
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          runMs: started ? runMs : undefined,
          stopCode: scenario.stopCode,
          stoppedReason: scenario.stoppedReason,
          scenario,
          containers: facts.containers.map((container, index) => {
            const exit = scenario.exits[index % scenario.exits.length];
            return {
              name: container.name,
              image: container.image,
              lastStatus: 'STOPPED',
              ...(exit?.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
              ...(exit?.reason !== undefined ? { reason: exit.reason } : {}),
            };
          }),
        };
    const lifecycle = taskLifecycleEvents(final, ids);
    timed.push(...lifecycle);
    produced += lifecycle.length;
  }

  const others: [fc.Arbitrary<Generated<unknown>>, number][] = [
    [containerInstanceStateChangeArb, LIVE_TRAFFIC_MIX['container-instance-state-change']],
    [serviceActionArb, LIVE_TRAFFIC_MIX['service-action']],
    [deploymentStateChangeArb, LIVE_TRAFFIC_MIX['deployment-state-change']],
    [cloudTrailApiCallEventArb, LIVE_TRAFFIC_MIX['api-call-via-eventbridge']],
    [runTaskRecordArb, LIVE_TRAFFIC_MIX['cloudtrail-record']],
    [lookupEventsEventArb, LIVE_TRAFFIC_MIX['lookup-events-event']],
  ];
  others.forEach(([arbitrary, weight], kind) => {
    const count = Math.round((options.events * weight) / 100);
    if (count === 0) return;
    const events = fc
      .sample(fc.tuple(arbitrary, fc.integer({ min: 0, max: windowMs }), fc.nat()), {
        numRuns: count,
        seed: options.seed + kind + 1,
      })
      .sort((a, b) => a[1] - b[1]);
    const versions = new Map<string, number>();
    for (const [generated, offsetMs, n] of events) {
      let event = generated.event as Record<string, unknown>;
      if (arbitrary === containerInstanceStateChangeArb) {
        // One of the pool's instances, its version rising with each change, as ECS counts them.
        const instance = instances[n % instances.length] as (typeof instances)[number];
        const version = (versions.get(instance.arn) ?? 1000) + 1;
        versions.set(instance.arn, version);
        event = {
          ...event,
          account,
          region,
          resources: [instance.arn],
          detail: {
            ...(event['detail'] as Record<string, unknown>),
            clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${instance.clusterName}`,
            containerInstanceArn: instance.arn,
            ec2InstanceId: instance.ec2InstanceId,
            version,
          },
        };
      }
      timed.push({ timeMs: start + offsetMs, event: retimed(event, start + offsetMs) });
    }
  });

  return timed.sort((a, b) => a.timeMs - b.timeMs).map((t) => t.event);
}
