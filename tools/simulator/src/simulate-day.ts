/**
 * One realistic day of ECS activity in one account and region, as EventBridge delivers it, with
 * what the audit log must make of it known by construction (the scenario), not by mapping.
 */
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import type { ContainerFacts, TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  clusterArnOf,
  envelopeOf,
  runTaskRecordOf,
  serviceCallRecordOf,
  taskLifecycleEvents,
} from '@ecslog/ecs-event-mapper/testing';
import { deliver } from './deliver';
import { resourceIdPrefix, runSeed } from './simulation-ids';
import { seededRandom } from './seeded-random';

/**
 * The account every simulated event is in by default: AWS issues no account with this id, so a
 * record in it is known to be simulated wherever it ends up (table, lake, `--json`), with no field
 * of its own — see {@link isSimulatedRecord}.
 */
export const SIMULATED_ACCOUNT = '000000000000';

/** True for a record (or lake row, by `account`) of the simulator's account. */
export function isSimulatedRecord(record: { account?: unknown }): boolean {
  return record.account === SIMULATED_ACCOUNT;
}

export interface SimulateDayOptions {
  /** A whole number from 0 to 2^53 − 1; distinct seeds never share a task or instance ARN. */
  seed: number;
  /**
   * Which day of a multi-day run this is (see {@link simulateEvents}; default 0): days of one
   * run never share a task or instance ARN either.
   */
  dayOfRun?: number;
  /** UTC day, `YYYY-MM-DD` (default 2026-11-20). */
  day?: string;
  /**
   * ISO-8601 instant the simulated 24 hours begin at, instead of `day`'s midnight (UTC): local mode
   * simulates the 24 hours up to its first start, so that recent-range queries see all of it.
   */
  start?: string;
  /** Default {@link SIMULATED_ACCOUNT}. */
  account?: string;
  region?: string;
}

/** What the scenario contains, counted while it was built. */
export interface DayExpectation {
  /** Failed records per category, after deduplication by recordId. */
  failuresByCategory: Record<FailureCategory, number>;
  /** Tasks with state change events. */
  tasks: number;
  /** Distinct events (before duplicate delivery). */
  distinctStateChanges: number;
  /** Distinct AuditRecords the events must map to (RunTask calls give one per task/failure). */
  records: number;
  /** Extra deliveries of an event already delivered. */
  duplicates: number;
  /**
   * Deployments whose tasks ran more than one digest of one image reference (a tag pushed again
   * while the deployment ran): service, deployment id and the reference.
   */
  digestDrift: { service: string; deploymentId: string; image: string }[];
  /**
   * The incidents the day opens, each once (a key's one episode), known by construction: the
   * failures of each service/family and category (not a service's Spot interruptions, which the
   * service replaces; a failed deployment fails its service), the crash loop of `notifications`
   * and the missed run of `metrics-export`. A service's placement failure (a service action, not
   * a run: the scheduler keeps trying) opens none.
   */
  incidents: ExpectedIncident[];
}

/**
 * An incident the day opens, as ecslog's notifier keys it (see `@ecslog/incidents`): the cluster's
 * name, the task group, the kind and, for `failure`, the failure category.
 */
export interface ExpectedIncident {
  kind: 'failure' | 'crash-loop' | 'silence' | 'missed-run';
  cluster: string;
  /** `service:NAME` or `family:NAME`. */
  group: string;
  /** Present exactly when `kind` is `failure`. */
  category?: FailureCategory;
  /**
   * Whether it is resolved once the day is in, with the default notify settings: every record
   * observed in delivery order, then the clock's check once, at the end of the day (what local mode
   * does). Open at the end: the placement failure of `reindex` half an hour before the end (within
   * the quiet period) and the missed run of `metrics-export`.
   */
  resolved: boolean;
}

export interface SimulatedDay {
  /** In delivery order: duplicated and locally out of order. */
  events: Record<string, unknown>[];
  expected: DayExpectation;
}

interface Timed {
  timeMs: number;
  event: Record<string, unknown>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY_MS = 24 * HOUR;

interface TaskPlan {
  cluster: string;
  family: string;
  revision: number;
  group: string;
  startedBy: string;
  launchType: 'FARGATE' | 'EC2';
  capacityProviderName?: string;
  containerInstanceArn?: string;
  /** The digest ECS reports, when not the one the reference was first pushed as. */
  imageDigest?: string;
  createdAtMs: number;
  /** Undefined: never started. */
  runMs?: number;
  /** Undefined: still running at the end of the day. */
  end?: { stopCode: string; stoppedReason: string; exitCode?: number; reason?: string };
  category?: FailureCategory;
}

/**
 * Simulates one day: clusters `prod-web` (Fargate: services `web`, `api`), `batch` (EC2: container
 * instances, service `ingest`, scheduled jobs) and `data` (Fargate Spot: service `stream-worker`).
 *
 * @example
 * const { events, expected } = simulateDay({ seed: 42 });
 */
export function simulateDay(options: SimulateDayOptions): SimulatedDay {
  const {
    seed,
    dayOfRun = 0,
    day = '2026-11-20',
    account = SIMULATED_ACCOUNT,
    region = 'eu-west-1',
  } = options;
  // The ids start with the seed and the day of the run, so that no two (seed, day) pairs share
  // one; the generator is seeded from both, so that their streams are unrelated too.
  const idPrefix = resourceIdPrefix(seed, dayOfRun);
  const rng = seededRandom(runSeed(seed, dayOfRun));
  let resourcesMade = 0;
  /** A 32-hex id unique within the run: the prefix, a counter, then random digits. */
  const resourceId = () => {
    resourcesMade += 1;
    return `${idPrefix}${resourcesMade.toString(16).padStart(4, '0')}${rng.hex(32 - idPrefix.length - 4)}`;
  };
  const dayStart = Date.parse(options.start ?? `${day}T00:00:00Z`);
  if (Number.isNaN(dayStart))
    throw new RangeError(`not a day or an instant: ${options.start ?? day}`);
  const at = (hours: number, jitterMinutes = 0) =>
    dayStart + Math.round(hours * HOUR) + rng.int(0, jitterMinutes * MINUTE);
  const timed: Timed[] = [];
  const failures = Object.fromEntries(FAILURE_CATEGORIES.map((c) => [c, 0])) as Record<
    FailureCategory,
    number
  >;
  let tasks = 0;
  let records = 0;
  const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  const image = (repo: string, tag: string) =>
    `${account}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}`;
  const serviceArn = (cluster: string, service: string) =>
    `arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`;
  const instanceArn = (cluster: string, id: string) =>
    `arn:aws:ecs:${region}:${account}:container-instance/${cluster}/${id}`;
  const emit = (timeMs: number, event: Record<string, unknown>, recordCount = 1) => {
    timed.push({ timeMs, event });
    records += recordCount;
  };

  const runTask = (plan: TaskPlan): string => {
    const taskId = resourceId();
    const pullMs = rng.int(2_000, 40_000);
    const started = plan.runMs !== undefined;
    const container = plan.family;
    const containers: ContainerFacts[] = [
      {
        name: container,
        image: image(plan.family, `r${plan.revision}`),
        ...(plan.imageDigest !== undefined ? { imageDigest: plan.imageDigest } : {}),
        lastStatus: plan.end ? 'STOPPED' : 'RUNNING',
        ...(plan.end?.exitCode !== undefined ? { exitCode: plan.end.exitCode } : {}),
        ...(plan.end?.reason !== undefined ? { reason: plan.end.reason } : {}),
      },
    ];
    const final: TaskFacts = {
      region,
      account,
      clusterName: plan.cluster,
      taskId,
      family: plan.family,
      revision: plan.revision,
      group: plan.group,
      serviceName: plan.group.startsWith('service:') ? plan.group.slice(8) : undefined,
      startedBy: plan.startedBy,
      launchType: plan.launchType,
      capacityProviderName: plan.capacityProviderName,
      availabilityZone: rng.pick(azs),
      cpu: plan.launchType === 'EC2' ? '512' : '1024',
      memory: '2048',
      lastStatus: plan.end ? 'STOPPED' : 'RUNNING',
      desiredStatus: plan.end ? 'STOPPED' : 'RUNNING',
      version: 1,
      createdAtMs: plan.createdAtMs,
      pullMs: started ? pullMs : undefined,
      pendingMs: started ? pullMs + rng.int(1_500, 6_000) : undefined,
      runMs: plan.end && started ? plan.runMs : undefined,
      stopCode: plan.end?.stopCode,
      stoppedReason: plan.end?.stoppedReason,
      containers,
    };
    const ids = Array.from({ length: 8 }, () => rng.uuid());
    for (const step of taskLifecycleEvents(final, ids)) {
      const detail = step.event['detail'] as Record<string, unknown>;
      const event = plan.containerInstanceArn
        ? { ...step.event, detail: { ...detail, containerInstanceArn: plan.containerInstanceArn } }
        : step.event;
      emit(step.timeMs, event);
    }
    tasks += 1;
    if (plan.category) failures[plan.category] += 1;
    return taskId;
  };

  const serviceEvent = (
    detailType: 'ECS Service Action' | 'ECS Deployment State Change',
    cluster: string,
    service: string,
    timeMs: number,
    detail: Record<string, unknown>,
  ) =>
    emit(
      timeMs,
      envelopeOf(detailType, detail, {
        id: rng.uuid(),
        account,
        region,
        timeMs: timeMs + 400,
        resources: [serviceArn(cluster, service)],
      }),
    );
  const serviceAction = (
    cluster: string,
    service: string,
    timeMs: number,
    eventName: string,
    extra: Record<string, unknown> = {},
  ) =>
    serviceEvent('ECS Service Action', cluster, service, timeMs, {
      eventType: eventName === 'SERVICE_TASK_PLACEMENT_FAILURE' ? 'ERROR' : 'INFO',
      eventName,
      clusterArn: clusterArnOf({ region, account, clusterName: cluster }),
      createdAt: new Date(timeMs).toISOString(),
      ...extra,
    });
  const deploymentEvent = (
    cluster: string,
    service: string,
    timeMs: number,
    eventName: string,
    deploymentId: string,
    reason: string,
  ) => {
    const failed = eventName === 'SERVICE_DEPLOYMENT_FAILED';
    if (failed) failures['deployment-failed'] += 1;
    serviceEvent('ECS Deployment State Change', cluster, service, timeMs, {
      eventType: failed ? 'ERROR' : 'INFO',
      eventName,
      deploymentId,
      updatedAt: new Date(timeMs).toISOString(),
      reason,
    });
  };
  const deploymentId = () => `ecs-svc/${rng.digits(19)}`;
  const replacedBy = (deployment: string) => ({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: `Scaling activity initiated by (deployment ${deployment})`,
    exitCode: 0,
  });
  const untilEndOfDay = (fromMs: number) => dayStart + 24 * HOUR - MINUTE - fromMs;
  const incidents: ExpectedIncident[] = [];
  const incident = (
    cluster: string,
    group: string,
    kind: ExpectedIncident['kind'],
    resolved: boolean,
    category?: FailureCategory,
  ) => incidents.push({ kind, cluster, group, ...(category ? { category } : {}), resolved });
  /**
   * A CreateService/UpdateService call with the service's desired count (how the notifier knows
   * how many tasks a service should run): by a deploy pipeline, or by Application Auto Scaling.
   */
  const serviceCall = (
    cluster: string,
    service: string,
    timeMs: number,
    call: {
      eventName?: 'CreateService' | 'UpdateService';
      desiredCount: number;
      taskDefinition?: string;
      runningCount?: number;
      by?: 'deploy' | 'autoscaling';
    },
  ) => {
    const callerArn =
      call.by === 'autoscaling'
        ? `arn:aws:sts::${account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling`
        : `arn:aws:sts::${account}:assumed-role/github-deploy/gha-${service}-${rng.digits(4)}`;
    const record = serviceCallRecordOf({
      eventName: call.eventName ?? 'UpdateService',
      eventId: rng.uuid(),
      region,
      account,
      clusterName: cluster,
      serviceName: service,
      ...(call.taskDefinition ? { taskDefinition: call.taskDefinition } : {}),
      desiredCount: call.desiredCount,
      ...(call.runningCount !== undefined ? { runningCount: call.runningCount } : {}),
      callerArn,
      atMs: timeMs,
    });
    emit(
      timeMs,
      envelopeOf('AWS API Call via CloudTrail', record, {
        id: rng.uuid(),
        account,
        region,
        timeMs: timeMs + rng.int(30_000, 180_000),
        resources: [],
      }),
    );
  };

  // prod-web/web: 3 tasks, two rolling deployments; one task fails its container health check,
  // and its replacement pulls the tag again after it was pushed anew: the deployment drifts.
  const digestDrift: DayExpectation['digestDrift'] = [];
  const web = (
    revision: number,
    deployment: string,
    createdAtMs: number,
    stopAtMs?: number,
    stop?: TaskPlan['end'],
    imageDigest?: string,
  ) =>
    runTask({
      imageDigest,
      cluster: 'prod-web',
      family: 'web',
      revision,
      group: 'service:web',
      startedBy: deployment,
      launchType: 'FARGATE',
      createdAtMs,
      runMs: stopAtMs !== undefined ? stopAtMs - createdAtMs - 60_000 : untilEndOfDay(createdAtMs),
      end: stop,
      category: stop?.stoppedReason.startsWith('Task failed') ? 'health-check' : undefined,
    });
  let webDeployment = deploymentId();
  let webRevision = 41;
  const webStarts = [0, 1, 2].map(() => at(0.02, 3));
  for (const [index, deployAtHours] of [9.5, 15.2].entries()) {
    const deployAt = at(deployAtHours, 20);
    const next = deploymentId();
    serviceCall('prod-web', 'web', deployAt - 30_000, {
      taskDefinition: `web:${webRevision + 1}`,
      desiredCount: 3,
    });
    deploymentEvent(
      'prod-web',
      'web',
      deployAt,
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      next,
      `ECS deployment ${next} in progress.`,
    );
    for (const [slot, createdAt] of webStarts.entries()) {
      const stopAt = deployAt + (slot + 2) * 2 * MINUTE;
      // The second deployment's middle slot was replaced earlier after failing health checks.
      if (index === 1 && slot === 1) {
        const sickAt = at(12, 60);
        incident('prod-web', 'service:web', 'failure', true, 'health-check');
        web(webRevision, webDeployment, createdAt, sickAt, {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task failed container health checks',
          exitCode: 137,
        });
        webStarts[slot] = sickAt + 20_000;
        const rePushed = `sha256:${rng.hex(64)}`;
        digestDrift.push({
          service: 'web',
          deploymentId: webDeployment,
          image: image('web', `r${webRevision}`),
        });
        web(webRevision, webDeployment, webStarts[slot], stopAt, replacedBy(next), rePushed);
      } else web(webRevision, webDeployment, createdAt, stopAt, replacedBy(next));
      webStarts[slot] = deployAt + (slot + 1) * 2 * MINUTE;
    }
    webDeployment = next;
    webRevision += 1;
    deploymentEvent(
      'prod-web',
      'web',
      deployAt + 12 * MINUTE,
      'SERVICE_DEPLOYMENT_COMPLETED',
      next,
      `ECS deployment ${next} completed.`,
    );
    serviceAction('prod-web', 'web', deployAt + 13 * MINUTE, 'SERVICE_STEADY_STATE');
  }
  for (const createdAt of webStarts) web(webRevision, webDeployment, createdAt);
  for (const hours of [3, 21])
    serviceAction('prod-web', 'web', at(hours, 30), 'SERVICE_STEADY_STATE');

  // prod-web/api: 2 tasks all day; a deployment whose image does not exist trips the circuit breaker.
  const apiDeployment = deploymentId();
  const api = (revision: number, startedBy: string, createdAtMs: number, end?: TaskPlan['end']) =>
    runTask({
      cluster: 'prod-web',
      family: 'api',
      revision,
      group: 'service:api',
      startedBy,
      launchType: 'FARGATE',
      createdAtMs,
      runMs: end ? undefined : untilEndOfDay(createdAtMs),
      end,
      category: end ? 'image-pull' : undefined,
    });
  api(17, apiDeployment, at(0.03, 3));
  api(17, apiDeployment, at(0.03, 3));
  const badDeployAt = at(13, 30);
  const badDeployment = deploymentId();
  serviceCall('prod-web', 'api', badDeployAt - 20_000, {
    taskDefinition: 'api:18',
    desiredCount: 2,
  });
  // Its tasks' image pulls and the deployment the circuit breaker failed: resolved by the steady
  // state after the rollback.
  incident('prod-web', 'service:api', 'failure', true, 'image-pull');
  incident('prod-web', 'service:api', 'failure', true, 'deployment-failed');
  deploymentEvent(
    'prod-web',
    'api',
    badDeployAt,
    'SERVICE_DEPLOYMENT_IN_PROGRESS',
    badDeployment,
    `ECS deployment ${badDeployment} in progress.`,
  );
  for (const attempt of [0, 1, 2]) {
    const missing = image('api', 'r18');
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${missing}: ${missing}: not found`;
    api(18, badDeployment, badDeployAt + (attempt * 2 + 1) * MINUTE, {
      stopCode: 'TaskFailedToStart',
      stoppedReason: reason,
      reason,
    });
  }
  const rollback = deploymentId();
  deploymentEvent(
    'prod-web',
    'api',
    badDeployAt + 8 * MINUTE,
    'SERVICE_DEPLOYMENT_FAILED',
    badDeployment,
    'ECS deployment circuit breaker: task failed to start.',
  );
  deploymentEvent(
    'prod-web',
    'api',
    badDeployAt + 8 * MINUTE + 2_000,
    'SERVICE_DEPLOYMENT_IN_PROGRESS',
    rollback,
    `ECS deployment circuit breaker: rolling back to deploymentId ${apiDeployment}.`,
  );
  deploymentEvent(
    'prod-web',
    'api',
    badDeployAt + 10 * MINUTE,
    'SERVICE_DEPLOYMENT_COMPLETED',
    rollback,
    `ECS deployment ${rollback} completed.`,
  );
  serviceAction('prod-web', 'api', badDeployAt + 11 * MINUTE, 'SERVICE_STEADY_STATE');
  serviceAction('prod-web', 'api', at(6, 30), 'SERVICE_STEADY_STATE');

  // batch: EC2 container instances with agent reconnect noise, one added, one drained.
  const instances = [0, 1, 2].map((n) => ({
    arn: instanceArn('batch', resourceId()),
    ec2InstanceId: `i-0${rng.hex(16)}`,
    version: n === 2 ? 0 : rng.int(100, 900),
    registeredAtMs: n === 2 ? at(7, 10) : dayStart - rng.int(2, 20) * 24 * HOUR,
  }));
  const instanceEvent = (
    instance: (typeof instances)[number],
    timeMs: number,
    status: string,
    agentConnected: boolean,
    statusReason?: string,
  ) => {
    instance.version += 1;
    const resources = (cpu: number, memory: number) => [
      { name: 'CPU', type: 'INTEGER', integerValue: cpu },
      { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
      {
        name: 'PORTS',
        type: 'STRINGSET',
        stringSetValue: ['22', '2376', '2375', '51678', '51679'],
      },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ];
    const running = status === 'ACTIVE' ? rng.int(1, 3) : 0;
    const detail = {
      agentConnected,
      capacityProviderName: 'batch-ec2-capacity',
      clusterArn: clusterArnOf({ region, account, clusterName: 'batch' }),
      containerInstanceArn: instance.arn,
      ec2InstanceId: instance.ec2InstanceId,
      pendingTasksCount: 0,
      registeredAt: new Date(instance.registeredAtMs).toISOString(),
      registeredResources: resources(2048, 7680),
      remainingResources: resources(2048 - running * 512, 7680 - running * 2048),
      runningTasksCount: running,
      status,
      ...(statusReason ? { statusReason } : {}),
      version: instance.version,
      versionInfo: {
        agentHash: '6e4b91da',
        agentVersion: '1.89.2',
        dockerVersion: 'DockerVersion: 25.0.8',
      },
      updatedAt: new Date(timeMs).toISOString(),
    };
    emit(
      timeMs,
      envelopeOf('ECS Container Instance State Change', detail, {
        id: rng.uuid(),
        account,
        region,
        timeMs: timeMs + 300,
        resources: [instance.arn],
      }),
    );
  };
  const [first, second, added] = instances as [
    (typeof instances)[number],
    (typeof instances)[number],
    (typeof instances)[number],
  ];
  instanceEvent(added, added.registeredAtMs, 'REGISTERING', false);
  instanceEvent(added, added.registeredAtMs + 40_000, 'ACTIVE', true);
  for (const instance of [first, second])
    for (let hour = rng.int(0, 2); hour < 23; hour += rng.int(2, 4)) {
      const lostAt = at(hour, 50);
      instanceEvent(instance, lostAt, 'ACTIVE', false);
      instanceEvent(instance, lostAt + rng.int(5, 90) * 1_000, 'ACTIVE', true);
    }
  instanceEvent(
    first,
    at(22.5, 20),
    'DRAINING',
    true,
    'Instance is draining for an Auto Scaling scale-in.',
  );

  // batch/ingest: a service on EC2 that cannot scale up for lack of memory.
  const ingestDeployment = deploymentId();
  for (const instance of [first, second])
    runTask({
      cluster: 'batch',
      family: 'ingest',
      revision: 9,
      group: 'service:ingest',
      startedBy: ingestDeployment,
      launchType: 'EC2',
      containerInstanceArn: instance.arn,
      createdAtMs: at(0.05, 3),
      runMs: untilEndOfDay(dayStart + HOUR),
    });
  // Auto Scaling asks for a third task there is no memory for, and scales back in 6 minutes later
  // (below desired for less than the silence threshold: no incident). The service action is not a
  // run of its own (the scheduler retries): no failure incident either.
  const placementAt = at(18, 40);
  serviceCall('batch', 'ingest', placementAt - 2 * MINUTE, {
    desiredCount: 3,
    runningCount: 2,
    by: 'autoscaling',
  });
  serviceAction('batch', 'ingest', placementAt, 'SERVICE_TASK_PLACEMENT_FAILURE', {
    reason: 'RESOURCE:MEMORY',
    containerInstanceArns: instances.map((i) => i.arn),
  });
  failures.placement += 1;
  serviceCall('batch', 'ingest', placementAt + 6 * MINUTE, { desiredCount: 2, by: 'autoscaling' });
  serviceAction('batch', 'ingest', at(19, 30), 'SERVICE_STEADY_STATE');

  // batch: scheduled jobs started by EventBridge rules, each with its RunTask call.
  const scheduled = (
    job: string,
    hours: number,
    outcome: 'succeeds' | 'out-of-memory' | 'image-pull' | 'no-memory',
  ) => {
    const callAt = at(hours) + rng.int(500, 4_000);
    const revision = 3 + (job.length % 7);
    const instance = rng.pick([first, second, added]);
    const taskId =
      outcome === 'no-memory'
        ? undefined
        : runTask({
            cluster: 'batch',
            family: job,
            revision,
            group: `family:${job}`,
            startedBy: `events-rule/${job}`,
            launchType: 'EC2',
            containerInstanceArn: instance.arn,
            createdAtMs: callAt + 150,
            runMs: outcome === 'image-pull' ? undefined : rng.int(30_000, 20 * MINUTE),
            end:
              outcome === 'succeeds'
                ? {
                    stopCode: 'EssentialContainerExited',
                    stoppedReason: 'Essential container in task exited',
                    exitCode: 0,
                  }
                : outcome === 'out-of-memory'
                  ? {
                      stopCode: 'EssentialContainerExited',
                      stoppedReason: 'Essential container in task exited',
                      exitCode: 137,
                      reason: 'OutOfMemoryError: Container killed due to memory usage',
                    }
                  : {
                      stopCode: 'TaskFailedToStart',
                      stoppedReason: `CannotPullContainerError: Error response from daemon: pull access denied for ${image(job, `r${revision}`)}, repository does not exist or may require 'docker login'`,
                      reason: `CannotPullContainerError: Error response from daemon: pull access denied for ${image(job, `r${revision}`)}, repository does not exist or may require 'docker login'`,
                    },
            category: outcome === 'succeeds' ? undefined : outcome,
          });
    if (outcome === 'no-memory') failures.placement += 1;
    const record = runTaskRecordOf({
      eventId: rng.uuid(),
      region,
      account,
      clusterName: 'batch',
      family: job,
      revision,
      callerArn: `arn:aws:sts::${account}:assumed-role/ecsEventsRole-${job}/${rng.hex(32)}`,
      atMs: callAt,
      taskIds: taskId ? [taskId] : [],
      failureReasons: outcome === 'no-memory' ? ['RESOURCE:MEMORY'] : [],
    });
    if (outcome === 'no-memory') {
      // The failure names the instance that lacked memory.
      const response = record['responseElements'] as { failures: { arn: string }[] };
      response.failures.forEach((failure) => (failure.arn = instance.arn));
    }
    emit(
      callAt,
      envelopeOf('AWS API Call via CloudTrail', record, {
        id: rng.uuid(),
        account,
        region,
        timeMs: callAt + rng.int(30_000, 180_000),
        resources: [],
      }),
    );
  };
  for (let hour = 0; hour < 24; hour += 1) scheduled('hourly-sync', hour + 0.25, 'succeeds');
  // An hourly job whose rule did not fire in the last hour: nothing ran at 23:30.
  for (let hour = 0; hour < 23; hour += 1) scheduled('metrics-export', hour + 0.5, 'succeeds');
  incident('batch', 'family:metrics-export', 'missed-run', false);
  scheduled('nightly-report', 2, 'succeeds');
  // Jobs that run once a day: resolved by the quiet period (no next run within the day).
  scheduled('invoice-export', 4, 'out-of-memory');
  incident('batch', 'family:invoice-export', 'failure', true, 'out-of-memory');
  scheduled('cleanup', 6, 'image-pull');
  incident('batch', 'family:cleanup', 'failure', true, 'image-pull');
  scheduled('usage-rollup', 12, 'succeeds');
  // Half an hour before the end: still within the quiet period, open.
  scheduled('reindex', 23.5, 'no-memory');
  incident('batch', 'family:reindex', 'failure', false, 'placement');

  // data/stream-worker: Fargate Spot tasks, two interrupted and replaced.
  const workerDeployment = deploymentId();
  const worker = (createdAtMs: number, stopAtMs?: number) =>
    runTask({
      cluster: 'data',
      family: 'stream-worker',
      revision: 27,
      group: 'service:stream-worker',
      startedBy: workerDeployment,
      launchType: 'FARGATE',
      capacityProviderName: 'FARGATE_SPOT',
      createdAtMs,
      runMs: stopAtMs !== undefined ? stopAtMs - createdAtMs - 60_000 : untilEndOfDay(createdAtMs),
      end:
        stopAtMs !== undefined
          ? {
              stopCode: 'SpotInterruption',
              stoppedReason: 'Your Spot Task was interrupted.',
              exitCode: 143,
            }
          : undefined,
      category: stopAtMs !== undefined ? 'spot-interruption' : undefined,
    });
  for (const slot of [0, 1, 2, 3]) {
    const createdAt = at(0.04, 3);
    if (slot < 2) {
      const interruptedAt = at(slot === 0 ? 8 : 17, 90);
      worker(createdAt, interruptedAt);
      worker(interruptedAt + rng.int(20_000, 60_000));
    } else worker(createdAt);
  }
  for (const hours of [5, 11, 20])
    serviceAction('data', 'stream-worker', at(hours, 30), 'SERVICE_STEADY_STATE');
  serviceCall('data', 'stream-worker', at(7, 30), { desiredCount: 4, by: 'autoscaling' });

  // prod-web/notifications: created at 06:00 with 2 tasks; at 10:00 a deployment whose tasks exit
  // 1 at start (no circuit breaker: the old tasks keep serving) crash-loops, 7 stops in 9 minutes,
  // until the fix is deployed at 10:12 and the service settles.
  const notificationsAt = at(6);
  serviceCall('prod-web', 'notifications', notificationsAt, {
    eventName: 'CreateService',
    taskDefinition: 'notifications:5',
    desiredCount: 2,
    runningCount: 0,
  });
  const firstDeployment = deploymentId();
  const notifications = (
    revision: number,
    deployment: string,
    createdAtMs: number,
    end?: { atMs: number; crashed: boolean },
  ) =>
    runTask({
      cluster: 'prod-web',
      family: 'notifications',
      revision,
      group: 'service:notifications',
      startedBy: deployment,
      launchType: 'FARGATE',
      createdAtMs,
      runMs: end
        ? end.crashed
          ? rng.int(2_000, 8_000)
          : end.atMs - createdAtMs - 60_000
        : untilEndOfDay(createdAtMs),
      end: end
        ? end.crashed
          ? {
              stopCode: 'EssentialContainerExited',
              stoppedReason: 'Essential container in task exited',
              exitCode: 1,
            }
          : replacedBy(fixDeployment)
        : undefined,
      category: end?.crashed ? 'essential-container-exited' : undefined,
    });
  const crashAt = at(10);
  const badNotifications = deploymentId();
  const fixDeployment = deploymentId();
  const fixAt = crashAt + 12 * MINUTE;
  for (const slot of [0, 1])
    notifications(5, firstDeployment, notificationsAt + (slot + 1) * MINUTE, {
      atMs: fixAt + (slot + 4) * MINUTE,
      crashed: false,
    });
  serviceAction('prod-web', 'notifications', notificationsAt + 5 * MINUTE, 'SERVICE_STEADY_STATE');
  serviceCall('prod-web', 'notifications', crashAt - 30_000, {
    taskDefinition: 'notifications:6',
    desiredCount: 2,
  });
  deploymentEvent(
    'prod-web',
    'notifications',
    crashAt,
    'SERVICE_DEPLOYMENT_IN_PROGRESS',
    badNotifications,
    `ECS deployment ${badNotifications} in progress.`,
  );
  for (let attempt = 0; attempt < 7; attempt += 1)
    notifications(6, badNotifications, crashAt + 20_000 + attempt * 80_000, {
      atMs: 0,
      crashed: true,
    });
  incident('prod-web', 'service:notifications', 'failure', true, 'essential-container-exited');
  incident('prod-web', 'service:notifications', 'crash-loop', true);
  serviceCall('prod-web', 'notifications', fixAt - 30_000, {
    taskDefinition: 'notifications:7',
    desiredCount: 2,
  });
  deploymentEvent(
    'prod-web',
    'notifications',
    fixAt,
    'SERVICE_DEPLOYMENT_IN_PROGRESS',
    fixDeployment,
    `ECS deployment ${fixDeployment} in progress.`,
  );
  for (const slot of [0, 1]) notifications(7, fixDeployment, fixAt + (slot + 1) * MINUTE);
  deploymentEvent(
    'prod-web',
    'notifications',
    fixAt + 8 * MINUTE,
    'SERVICE_DEPLOYMENT_COMPLETED',
    fixDeployment,
    `ECS deployment ${fixDeployment} completed.`,
  );
  serviceAction('prod-web', 'notifications', fixAt + 9 * MINUTE, 'SERVICE_STEADY_STATE');

  const delivered = deliver(timed, rng);
  return {
    events: delivered.events,
    expected: {
      failuresByCategory: failures,
      tasks,
      distinctStateChanges: timed.length,
      records,
      duplicates: delivered.duplicates,
      digestDrift,
      incidents,
    },
  };
}

export interface SimulateEventsOptions {
  events: number;
  seed: number;
  /** ISO-8601 instant the first simulated 24 hours begin at (default 2026-11-20T00:00:00Z, or see `end`). */
  start?: string;
  /**
   * ISO-8601 instant no event may be after (the CLI passes now). Without `start`, the days are the
   * ones just before it, oldest first; with `start`, they must fit between the two.
   */
  end?: string;
}

/**
 * Exactly `events` events, from as many consecutive simulated days as it takes (each with its own
 * ids), oldest day first, for benchmarks and `ecslog simulate`. Every event lies within
 * [start, end] when `end` is given.
 *
 * @example
 * simulateEvents({ events: 50_000, seed: 7, end: new Date().toISOString() }); // the days up to now
 */
export function simulateEvents(options: SimulateEventsOptions): Record<string, unknown>[] {
  const end = options.end === undefined ? undefined : Date.parse(options.end);
  if (end !== undefined && Number.isNaN(end))
    throw new RangeError(`not an instant: ${options.end}`);
  const day = (dayOfRun: number, startMs: number) =>
    simulateDay({ seed: options.seed, dayOfRun, start: new Date(startMs).toISOString() }).events;
  if (options.start === undefined && end !== undefined) {
    // Backwards from `end`: the newest day ends at it; older days are added until there are enough.
    const days: Record<string, unknown>[][] = [];
    let total = 0;
    for (let n = 0; total < options.events; n += 1) {
      const events = day(n, end - (n + 1) * DAY_MS);
      days.unshift(events);
      total += events.length;
    }
    return days.flat().slice(total - options.events);
  }
  const start = Date.parse(options.start ?? '2026-11-20T00:00:00.000Z');
  if (Number.isNaN(start)) throw new RangeError(`not an instant: ${options.start}`);
  const out: Record<string, unknown>[] = [];
  for (let n = 0; out.length < options.events; n += 1) {
    const dayStart = start + n * DAY_MS;
    if (end !== undefined && dayStart + DAY_MS > end)
      throw new RangeError(
        `${options.events} events take more whole simulated days than fit between ${new Date(start).toISOString()} and ${new Date(end).toISOString()} (${n} day${n === 1 ? '' : 's'}, ${out.length} events): start earlier, or ask for fewer events`,
      );
    out.push(...day(n, dayStart));
  }
  return out.slice(0, options.events);
}
