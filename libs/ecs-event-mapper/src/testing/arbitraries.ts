/**
 * fast-check generators of realistic ECS inputs, for tests, benchmarks and the simulator.
 *
 * Each generator builds *facts* first (the values a test can expect to see again in the
 * records) and assembles the event from them with a plain function, so a property can compare
 * the mapper's output with the facts instead of re-implementing the mapper.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ChurnKind, FailureCategory, OutcomeStatus } from '../audit-record';
import { TASK_LAST_STATUSES } from '../task-statuses';

const HEX = '0123456789abcdef'.split('');
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length });
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/);

/** Milliseconds since the epoch, 2024–2027. */
const instantMs = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) });
const iso = (ms: number) => new Date(ms).toISOString();
/** EventBridge's envelope `time` has second precision. */
const isoSeconds = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const regionArb = fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2');
export const accountArb = fc.stringMatching(/^[0-9]{12}$/);

/** A known ECS enum value, or (rarely) one AWS might add tomorrow. */
const openEnum = (known: readonly string[]) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z][A-Z_]{2,20}$/) },
  );

/** A task's lastStatus values, in ECS's order. */
export const TASK_STATUSES = TASK_LAST_STATUSES;

export interface ContainerFacts {
  name: string;
  image: string;
  /** What ECS reports once pulled; default: the digest of `image` (every task of one ref shares it). */
  imageDigest?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

/** Everything a generated Task State Change says, in the mapper's vocabulary. */
export interface TaskFacts {
  region: string;
  account: string;
  clusterName: string;
  taskId: string;
  family: string;
  revision: number;
  group: string;
  serviceName?: string;
  startedBy: string;
  launchType: string;
  capacityProviderName?: string;
  /** The instance an EC2, External or Managed Instances task was placed on, when given. */
  containerInstanceArn?: string;
  availabilityZone: string;
  cpu: string;
  memory: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  createdAtMs: number;
  pullMs?: number;
  pendingMs?: number;
  runMs?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: ContainerFacts[];
  /** When the change happened, if not the latest of created/started/stopped (lifecycles set it). */
  updatedAtMs?: number;
}

export const taskArnOf = (f: Pick<TaskFacts, 'region' | 'account' | 'clusterName' | 'taskId'>) =>
  `arn:aws:ecs:${f.region}:${f.account}:task/${f.clusterName}/${f.taskId}`;
export const clusterArnOf = (f: { region: string; account: string; clusterName: string }) =>
  `arn:aws:ecs:${f.region}:${f.account}:cluster/${f.clusterName}`;
export const taskDefinitionArnOf = (
  f: Pick<TaskFacts, 'region' | 'account' | 'family' | 'revision'>,
) => `arn:aws:ecs:${f.region}:${f.account}:task-definition/${f.family}:${f.revision}`;

const containerNames = fc.uniqueArray(name, { minLength: 1, maxLength: 3 });
const imageOf = (account: string, region: string, container: string) =>
  `${account}.dkr.ecr.${region}.amazonaws.com/${container}:v${container.length}.${container.charCodeAt(0) % 10}`;

/**
 * How a stopped task ended, with the outcome the mapper must give it. Built per category so
 * the expectation is known by construction.
 */
export interface StopScenario {
  stopCode?: string;
  stoppedReason?: string;
  /** Per container (by index, cycling): exit code and reason; missing = never exited. */
  exits: { exitCode?: number; reason?: string }[];
  expected: { status: OutcomeStatus; category?: FailureCategory; churn?: ChurnKind };
}

const any = <T>(...values: T[]) => fc.constantFrom(...values);

export const stopScenarioArb: fc.Arbitrary<StopScenario> = fc.oneof(
  any<StopScenario>({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    exits: [{ exitCode: 0 }],
    expected: { status: 'succeeded' },
  }),
  fc
    .integer({ min: 1, max: 255 })
    .filter((code) => code !== 137)
    .map<StopScenario>((exitCode) => ({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      exits: [{ exitCode }],
      expected: { status: 'failed', category: 'essential-container-exited' },
    })),
  any<string | undefined>(
    'EssentialContainerExited',
    'ServiceSchedulerInitiated',
    'UserInitiated',
    undefined,
  ).map<StopScenario>((stopCode) => ({
    stopCode,
    stoppedReason: 'Essential container in task exited',
    exits: [{ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
    expected: { status: 'failed', category: 'out-of-memory' },
  })),
  name.map<StopScenario>((repo) => ({
    stopCode: 'TaskFailedToStart',
    stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/${repo}:latest: not found`,
    exits: [{}],
    expected: { status: 'failed', category: 'image-pull' },
  })),
  any<StopScenario>({
    stopCode: 'TaskFailedToStart',
    stoppedReason:
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed',
    exits: [{}],
    expected: { status: 'failed', category: 'resource-initialization' },
  }),
  any<StopScenario>(
    {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
      exits: [{ exitCode: 137 }],
      expected: { status: 'failed', category: 'health-check' },
    },
    {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason:
        'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef)',
      exits: [{ exitCode: 143 }],
      expected: { status: 'failed', category: 'health-check' },
    },
  ),
  any<StopScenario>({
    stopCode: 'SpotInterruption',
    stoppedReason: 'Your Spot Task was interrupted.',
    exits: [{ exitCode: 143 }],
    expected: { status: 'failed', category: 'spot-interruption' },
  }),
  any<StopScenario>({
    stopCode: 'UserInitiated',
    stoppedReason: 'Task stopped by user',
    exits: [{ exitCode: 143 }],
    expected: { status: 'stopped' },
  }),
  // Expected churn, in the documented wordings (see classify-stop.spec.ts for where each is).
  fc
    .constantFrom<StopScenario['exits'][number]>({ exitCode: 0 }, { exitCode: 143 }, {})
    .chain((exit) =>
      any<StopScenario>(
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
          exits: [exit],
          expected: { status: 'stopped', churn: 'scale-in' },
        },
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task stopped during instance draining',
          exits: [exit],
          expected: { status: 'stopped', churn: 'instance-draining' },
        },
        {
          stopCode: 'InfrastructureHealth',
          stoppedReason: 'Task stopped during instance draining',
          exits: [exit],
          expected: { status: 'stopped', churn: 'infrastructure-health' },
        },
      ),
    ),
  // The same stops with an exit code that stopping does not give: not claimed as churn.
  fc.integer({ min: 1, max: 125 }).chain((exitCode) =>
    any<StopScenario>(
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
        exits: [{ exitCode }],
        expected: { status: 'stopped' },
      },
      {
        stopCode: 'InfrastructureHealth',
        stoppedReason: 'Task stopped during instance draining',
        exits: [{ exitCode }],
        expected: { status: 'failed', category: 'infrastructure' },
      },
    ),
  ),
  any<StopScenario>({
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotStartContainerError: failed to get container status',
    exits: [{}],
    expected: { status: 'failed', category: 'start-failure' },
  }),
  any<StopScenario>({
    stopCode: 'TerminationNotice',
    stoppedReason: 'Host EC2 (instance i-0123456789abcdef0) terminated.',
    exits: [{ exitCode: 137 }],
    expected: { status: 'failed', category: 'infrastructure' },
  }),
  // Words no recognised reason contains: an unknown reason must come out as "other".
  fc
    .array(fc.constantFrom('quorum', 'lattice', 'zephyr', 'mosaic', 'ledger', 'vortex'), {
      minLength: 1,
      maxLength: 4,
    })
    .map<StopScenario>((words) => ({
      stopCode: 'SomethingNewFromAws',
      stoppedReason: `Reason ${words.join(' ')}`,
      exits: [{}],
      expected: { status: 'failed', category: 'other' },
    })),
);

const LAUNCH = ['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;

/** Facts of a task at any point of its life; STOPPED tasks carry a {@link StopScenario}. */
export const taskFactsArb: fc.Arbitrary<TaskFacts & { scenario?: StopScenario }> = fc
  .record({
    region: regionArb,
    account: accountArb,
    clusterName: name,
    taskId: hex(32),
    family: name,
    revision: fc.integer({ min: 1, max: 5000 }),
    isService: fc.boolean(),
    serviceName: name,
    svcId: fc.stringMatching(/^[0-9]{19}$/),
    launchType: openEnum(LAUNCH),
    spot: fc.boolean(),
    zone: fc.constantFrom('a', 'b', 'c'),
    cpu: fc.constantFrom('256', '512', '1024', '2048', '4096'),
    memory: fc.constantFrom('512', '1024', '2048', '8192'),
    status: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TASK_STATUSES) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{4,14}$/) },
    ),
    version: fc.integer({ min: 1, max: 40 }),
    createdAtMs: instantMs,
    pullMs: fc.integer({ min: 0, max: 600_000 }),
    startDelayMs: fc.integer({ min: 1000, max: 120_000 }),
    runMs: fc.integer({ min: 0, max: 7 * 24 * 3_600_000 }),
    containers: containerNames,
    scenario: stopScenarioArb,
  })
  .map((g) => {
    const stopped = g.status === 'STOPPED';
    const started = stopped
      ? g.scenario.exits.some((e) => e.exitCode !== undefined)
      : ['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(g.status);
    const pulled = started || g.status === 'ACTIVATING';
    const facts: TaskFacts & { scenario?: StopScenario } = {
      region: g.region,
      account: g.account,
      clusterName: g.clusterName,
      taskId: g.taskId,
      family: g.family,
      revision: g.revision,
      group: g.isService ? `service:${g.serviceName}` : `family:${g.family}`,
      serviceName: g.isService ? g.serviceName : undefined,
      startedBy: g.isService ? `ecs-svc/${g.svcId}` : `events-rule/${g.family}`,
      launchType: g.launchType,
      capacityProviderName: g.spot && g.launchType === 'FARGATE' ? 'FARGATE_SPOT' : undefined,
      availabilityZone: `${g.region}${g.zone}`,
      cpu: g.cpu,
      memory: g.memory,
      lastStatus: g.status,
      desiredStatus:
        stopped || ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(g.status)
          ? 'STOPPED'
          : 'RUNNING',
      version: g.version,
      createdAtMs: g.createdAtMs,
      pullMs: pulled ? g.pullMs : undefined,
      pendingMs: started ? g.pullMs + g.startDelayMs : undefined,
      runMs: started && stopped ? g.runMs : undefined,
      stopCode: stopped ? g.scenario.stopCode : undefined,
      stoppedReason: stopped ? g.scenario.stoppedReason : undefined,
      containers: g.containers.map((container, index) => {
        const exit = stopped ? g.scenario.exits[index % g.scenario.exits.length] : undefined;
        return {
          name: container,
          image: imageOf(g.account, g.region, container),
          lastStatus: stopped ? 'STOPPED' : started ? 'RUNNING' : 'PENDING',
          ...(exit?.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
          ...(exit?.reason !== undefined ? { reason: exit.reason } : {}),
        };
      }),
      scenario: stopped ? g.scenario : undefined,
    };
    return facts;
  });

/**
 * A registry's digest for an image reference: a function of the reference, as an image that was
 * pushed once is the same digest in every task that pulls it (a re-push is a different one:
 * give `imageDigest`).
 */
export function digestOfReference(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** The `detail` of an ECS Task State Change built from facts (ISO timestamps, as ECS sends them). */
export function taskDetailOf(f: TaskFacts): Record<string, unknown> {
  const pullStartedAt = f.pullMs !== undefined ? f.createdAtMs + 1000 : undefined;
  const startedAt = f.pendingMs !== undefined ? f.createdAtMs + f.pendingMs : undefined;
  const stoppedAt =
    startedAt !== undefined && f.runMs !== undefined
      ? startedAt + f.runMs
      : f.lastStatus === 'STOPPED'
        ? f.createdAtMs + 5_000
        : undefined;
  const updatedAt = f.updatedAtMs ?? stoppedAt ?? startedAt ?? f.createdAtMs;
  const awsvpc = f.launchType !== 'EC2' && f.launchType !== 'EXTERNAL';
  // Network details derived from the task id, so equal facts give equal events: through a hash,
  // because ids made together share a prefix (the simulator's do) and tasks do not share an ENI.
  // The subnet is one per cluster and zone, as a VPC gives, and the address lies in it.
  const net = createHash('sha256').update(f.taskId).digest('hex');
  const subnet = createHash('sha256')
    .update(`${f.clusterName}/${f.availabilityZone ?? ''}`)
    .digest('hex');
  const octet = (hex: string, i: number) => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const ip = `10.${octet(subnet, 0)}.${octet(net, 0)}.${octet(net, 1)}`;
  const attachmentId = `${f.taskId.slice(0, 8)}-${f.taskId.slice(8, 12)}-4${f.taskId.slice(13, 16)}-8${f.taskId.slice(17, 20)}-${f.taskId.slice(20, 32)}`;
  const attachmentStatus =
    f.lastStatus === 'STOPPED'
      ? 'DELETED'
      : f.lastStatus === 'PROVISIONING'
        ? 'PRECREATED'
        : 'ATTACHED';
  return dropUndefined({
    attachments: awsvpc
      ? [
          {
            id: attachmentId,
            type: 'eni',
            status: attachmentStatus,
            details: [
              { name: 'subnetId', value: `subnet-0${subnet.slice(0, 16)}` },
              { name: 'networkInterfaceId', value: `eni-0${net.slice(2, 18)}` },
              {
                name: 'macAddress',
                value: `06:${net.slice(18, 20)}:${net.slice(20, 22)}:${net.slice(22, 24)}:${net.slice(24, 26)}:${net.slice(26, 28)}`,
              },
              {
                name: 'privateDnsName',
                value: `ip-${ip.replaceAll('.', '-')}.${f.region}.compute.internal`,
              },
              { name: 'privateIPv4Address', value: ip },
            ],
          },
        ]
      : [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: f.availabilityZone,
    capacityProviderName: f.capacityProviderName,
    clusterArn: clusterArnOf(f),
    connectivity: 'CONNECTED',
    connectivityAt: iso(f.createdAtMs + 500),
    containerInstanceArn: f.containerInstanceArn,
    containers: f.containers.map((c, index) =>
      dropUndefined({
        containerArn: `arn:aws:ecs:${f.region}:${f.account}:container/${f.clusterName}/${f.taskId}/${attachmentId.slice(0, 35)}${index}`,
        lastStatus: c.lastStatus,
        name: c.name,
        image: c.image,
        imageDigest: c.imageDigest ?? digestOfReference(c.image),
        runtimeId: `${f.taskId}-${String(f.createdAtMs).slice(-10)}`,
        exitCode: c.exitCode,
        reason: c.reason,
        taskArn: taskArnOf(f),
        networkBindings: awsvpc
          ? undefined
          : [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768 + index, protocol: 'tcp' }],
        networkInterfaces: awsvpc ? [{ attachmentId, privateIpv4Address: ip }] : [],
        cpu: '0',
        memory: String(Math.floor(Number(f.memory) / f.containers.length)),
      }),
    ),
    cpu: f.cpu,
    createdAt: iso(f.createdAtMs),
    desiredStatus: f.desiredStatus,
    enableExecuteCommand: false,
    ephemeralStorage: awsvpc ? { sizeInGiB: 20 } : undefined,
    executionStoppedAt:
      f.lastStatus === 'STOPPED' && stoppedAt !== undefined ? iso(stoppedAt - 2) : undefined,
    group: f.group,
    launchType: f.launchType,
    lastStatus: f.lastStatus,
    memory: f.memory,
    overrides: { containerOverrides: f.containers.map((c) => ({ name: c.name })) },
    platformVersion: f.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: f.launchType === 'FARGATE' ? 'Linux' : undefined,
    pullStartedAt: pullStartedAt !== undefined ? iso(pullStartedAt) : undefined,
    pullStoppedAt:
      pullStartedAt !== undefined && f.pullMs !== undefined
        ? iso(pullStartedAt + f.pullMs)
        : undefined,
    startedAt: startedAt !== undefined ? iso(startedAt) : undefined,
    startedBy: f.startedBy,
    stopCode: f.stopCode,
    stoppedAt: stoppedAt !== undefined && f.lastStatus === 'STOPPED' ? iso(stoppedAt) : undefined,
    stoppedReason: f.stoppedReason,
    stoppingAt:
      f.desiredStatus === 'STOPPED' && stoppedAt !== undefined ? iso(stoppedAt - 1) : undefined,
    taskArn: taskArnOf(f),
    taskDefinitionArn: taskDefinitionArnOf(f),
    updatedAt: iso(updatedAt),
    version: f.version,
  });
}

/** An EventBridge envelope around a detail. */
export function envelopeOf(
  detailType: string,
  detail: Record<string, unknown>,
  at: { id: string; account: string; region: string; timeMs: number; resources: string[] },
): Record<string, unknown> {
  return {
    version: '0',
    id: at.id,
    'detail-type': detailType,
    source: 'aws.ecs',
    account: at.account,
    time: isoSeconds(at.timeMs),
    region: at.region,
    resources: at.resources,
    detail,
  };
}

export interface Generated<F> {
  facts: F;
  event: Record<string, unknown>;
}

/** ECS Task State Change events with the facts they were built from. */
export const taskStateChangeArb: fc.Arbitrary<Generated<TaskFacts & { scenario?: StopScenario }>> =
  fc
    .record({ facts: taskFactsArb, id: fc.uuid(), delayMs: fc.integer({ min: 0, max: 5000 }) })
    .map(({ facts, id, delayMs }) => ({
      facts,
      event: envelopeOf('ECS Task State Change', taskDetailOf(facts), {
        id,
        account: facts.account,
        region: facts.region,
        timeMs: facts.createdAtMs + delayMs,
        resources: [taskArnOf(facts)],
      }),
    }));

const CONTAINER_INSTANCE_ATTRIBUTES = [
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.task-eni',
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.container-health-check',
  'ecs.capability.private-registry-authentication.secretsmanager',
  'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'com.amazonaws.ecs.capability.docker-remote-api.1.44',
  'ecs.capability.execution-role-ecr-pull',
  'ecs.capability.efsAuth',
]
  .map((name) => ({ name }))
  .concat([
    { name: 'ecs.ami-id', value: 'ami-0abcdef1234567890' } as { name: string; value?: string },
    { name: 'ecs.instance-type', value: 'm6i.large' },
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.cpu-architecture', value: 'x86_64' },
  ]);

export interface ContainerInstanceFacts {
  region: string;
  account: string;
  clusterName: string;
  instanceId: string;
  ec2InstanceId: string;
  status: string;
  agentConnected: boolean;
  version: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  updatedAtMs: number;
}

export const containerInstanceStateChangeArb: fc.Arbitrary<Generated<ContainerInstanceFacts>> = fc
  .record({
    region: regionArb,
    account: accountArb,
    clusterName: name,
    instanceId: hex(32),
    ec2InstanceId: hex(17).map((h) => `i-${h}`),
    status: openEnum([
      'REGISTERING',
      'REGISTRATION_FAILED',
      'ACTIVE',
      'INACTIVE',
      'DEREGISTERING',
      'DRAINING',
    ]),
    agentConnected: fc.boolean(),
    version: fc.integer({ min: 1, max: 100_000 }),
    runningTasksCount: fc.integer({ min: 0, max: 50 }),
    pendingTasksCount: fc.integer({ min: 0, max: 10 }),
    updatedAtMs: instantMs,
    id: fc.uuid(),
  })
  .map(({ id, ...facts }) => {
    const arn = `arn:aws:ecs:${facts.region}:${facts.account}:container-instance/${facts.clusterName}/${facts.instanceId}`;
    const detail = {
      agentConnected: facts.agentConnected,
      attributes: CONTAINER_INSTANCE_ATTRIBUTES,
      clusterArn: clusterArnOf(facts),
      containerInstanceArn: arn,
      ec2InstanceId: facts.ec2InstanceId,
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 7680 },
        {
          name: 'PORTS',
          type: 'STRINGSET',
          stringSetValue: ['22', '2376', '2375', '51678', '51679'],
        },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      remainingResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 5632 },
        {
          name: 'PORTS',
          type: 'STRINGSET',
          stringSetValue: ['22', '2376', '2375', '51678', '51679'],
        },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      status: facts.status,
      version: facts.version,
      versionInfo: {
        agentHash: '0a1b2c3',
        agentVersion: '1.90.0',
        dockerVersion: 'DockerVersion: 25.0.8',
      },
      runningTasksCount: facts.runningTasksCount,
      pendingTasksCount: facts.pendingTasksCount,
      updatedAt: iso(facts.updatedAtMs),
    };
    return {
      facts,
      event: envelopeOf('ECS Container Instance State Change', detail, {
        id,
        account: facts.account,
        region: facts.region,
        timeMs: facts.updatedAtMs,
        resources: [arn],
      }),
    };
  });

export interface ServiceEventFacts {
  id: string;
  region: string;
  account: string;
  clusterName: string;
  serviceName: string;
  eventName: string;
  eventType: string;
  reason?: string;
  atMs: number;
  deploymentId?: string;
}

const serviceBase = fc.record({
  id: fc.uuid(),
  region: regionArb,
  account: accountArb,
  clusterName: name,
  serviceName: name,
  atMs: instantMs,
});
const serviceArnOf = (f: ServiceEventFacts) =>
  `arn:aws:ecs:${f.region}:${f.account}:service/${f.clusterName}/${f.serviceName}`;

export const SERVICE_ACTION_NAMES = [
  'SERVICE_STEADY_STATE',
  'SERVICE_TASK_PLACEMENT_FAILURE',
  'SERVICE_TASK_START_IMPAIRED',
  'SERVICE_TASK_CONFIGURATION_FAILURE',
  'SERVICE_DESIRED_COUNT_UPDATED',
  'TASKS_STOPPED',
  'ECS_OPERATION_THROTTLED',
] as const;

export const serviceActionArb: fc.Arbitrary<Generated<ServiceEventFacts>> = fc
  .record({
    base: serviceBase,
    eventName: openEnum(SERVICE_ACTION_NAMES),
    reason: fc.option(fc.constantFrom('RESOURCE:MEMORY', 'RESOURCE:CPU', 'RESOURCE:FARGATE'), {
      nil: undefined,
    }),
  })
  .map(({ base, eventName, reason }) => {
    const eventType =
      eventName === 'SERVICE_STEADY_STATE' || eventName === 'SERVICE_DESIRED_COUNT_UPDATED'
        ? 'INFO'
        : eventName === 'SERVICE_TASK_PLACEMENT_FAILURE'
          ? 'ERROR'
          : 'WARN';
    const facts: ServiceEventFacts = { ...base, eventName, eventType, reason };
    const detail = dropUndefined({
      eventType,
      eventName,
      clusterArn: clusterArnOf(facts),
      createdAt: iso(facts.atMs),
      reason,
    });
    return {
      facts,
      event: envelopeOf('ECS Service Action', detail, {
        id: facts.id,
        account: facts.account,
        region: facts.region,
        timeMs: facts.atMs,
        resources: [serviceArnOf(facts)],
      }),
    };
  });

export const deploymentStateChangeArb: fc.Arbitrary<Generated<ServiceEventFacts>> = fc
  .record({
    base: serviceBase,
    eventName: openEnum([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_COMPLETED',
      'SERVICE_DEPLOYMENT_FAILED',
    ]),
    deploymentId: fc.stringMatching(/^[0-9]{19}$/).map((n) => `ecs-svc/${n}`),
  })
  .map(({ base, eventName, deploymentId }) => {
    const failedDeployment = eventName === 'SERVICE_DEPLOYMENT_FAILED';
    const reason = failedDeployment
      ? 'ECS deployment circuit breaker: task failed to start.'
      : `ECS deployment ${deploymentId} in progress.`;
    const facts: ServiceEventFacts = {
      ...base,
      eventName,
      eventType: failedDeployment ? 'ERROR' : 'INFO',
      reason,
      deploymentId,
    };
    const detail = {
      eventType: facts.eventType,
      eventName,
      deploymentId,
      updatedAt: iso(facts.atMs),
      reason,
    };
    return {
      facts,
      event: envelopeOf('ECS Deployment State Change', detail, {
        id: facts.id,
        account: facts.account,
        region: facts.region,
        timeMs: facts.atMs,
        resources: [serviceArnOf(facts)],
      }),
    };
  });

export interface RunTaskFacts {
  eventId: string;
  region: string;
  account: string;
  clusterName: string;
  family: string;
  revision: number;
  callerArn: string;
  atMs: number;
  taskIds: string[];
  failureReasons: string[];
  errorCode?: string;
}

/** CloudTrail records of RunTask calls: started tasks, placement failures, or an API error. */
export const runTaskRecordArb: fc.Arbitrary<Generated<RunTaskFacts>> = fc
  .record({
    eventId: fc.uuid(),
    region: regionArb,
    account: accountArb,
    clusterName: name,
    family: name,
    revision: fc.integer({ min: 1, max: 500 }),
    role: name,
    session: hex(16),
    atMs: instantMs,
    taskIds: fc.uniqueArray(hex(32), { maxLength: 5 }),
    failureReasons: fc.array(
      fc.constantFrom(
        'RESOURCE:MEMORY',
        'RESOURCE:CPU',
        'RESOURCE:PORTS',
        'AGENT',
        'ATTRIBUTE',
        'LOCATION',
      ),
      { maxLength: 4 },
    ),
    errorCode: fc.option(
      fc.constantFrom(
        'InvalidParameterException',
        'AccessDeniedException',
        'ClusterNotFoundException',
      ),
      { nil: undefined, freq: 5 },
    ),
  })
  .map(({ role, session, ...g }) => {
    const facts: RunTaskFacts = {
      ...g,
      callerArn: `arn:aws:sts::${g.account}:assumed-role/${role}/${session}`,
      taskIds: g.errorCode ? [] : g.taskIds,
      failureReasons: g.errorCode ? [] : g.failureReasons,
    };
    return { facts, event: runTaskRecordOf(facts) };
  });

export function runTaskRecordOf(f: RunTaskFacts): Record<string, unknown> {
  const taskDefinitionArn = taskDefinitionArnOf(f);
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:${f.callerArn.split('/').pop()}`,
      arn: f.callerArn,
      accountId: f.account,
    },
    eventTime: isoSeconds(f.atMs),
    eventSource: 'ecs.amazonaws.com',
    eventName: 'RunTask',
    awsRegion: f.region,
    sourceIPAddress: 'events.amazonaws.com',
    userAgent: 'events.amazonaws.com',
    ...(f.errorCode
      ? { errorCode: f.errorCode, errorMessage: `${f.errorCode} for ${f.family}` }
      : {}),
    requestParameters: {
      cluster: f.clusterName,
      taskDefinition: `${f.family}:${f.revision}`,
      count: Math.max(1, f.taskIds.length + f.failureReasons.length),
      startedBy: `events-rule/${f.family}`,
    },
    responseElements: f.errorCode
      ? null
      : {
          tasks: f.taskIds.map((taskId, index) => ({
            taskArn: taskArnOf({ ...f, taskId }),
            clusterArn: clusterArnOf(f),
            taskDefinitionArn,
            lastStatus: 'PROVISIONING',
            desiredStatus: 'RUNNING',
            group: `family:${f.family}`,
            startedBy: `events-rule/${f.family}`,
            createdAt: sdkDate(f.atMs + index),
            version: 1,
            containers: [{ name: f.family, lastStatus: 'PENDING' }],
          })),
          failures: f.failureReasons.map((reason, index) => ({
            arn: `arn:aws:ecs:${f.region}:${f.account}:container-instance/${f.clusterName}/${index.toString(16).padStart(32, '0')}`,
            reason,
          })),
        },
    requestID: `${f.eventId.slice(0, 8)}-req`,
    eventID: f.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: f.account,
    eventCategory: 'Management',
  };
}

/** What a CreateService or UpdateService CloudTrail record is built from. */
export interface ServiceCallFacts {
  eventName: 'CreateService' | 'UpdateService';
  eventId: string;
  region: string;
  account: string;
  clusterName: string;
  serviceName: string;
  /** `family:revision` the call deploys; absent: an UpdateService of the count only. */
  taskDefinition?: string;
  /** Absent: the call names none (the response still has the service's). */
  desiredCount?: number;
  /** The service's desired count in the response (default: `desiredCount`, else 1). */
  answeredDesiredCount?: number;
  runningCount?: number;
  callerArn: string;
  atMs: number;
}

/**
 * A CreateService/UpdateService CloudTrail record in the documented shape: the request's
 * `cluster`, `serviceName` (CreateService) or `service` (UpdateService), `taskDefinition`,
 * `desiredCount`; the response's `service` with its ARN, counts and PRIMARY deployment.
 */
export function serviceCallRecordOf(f: ServiceCallFacts): Record<string, unknown> {
  const serviceArn = `arn:aws:ecs:${f.region}:${f.account}:service/${f.clusterName}/${f.serviceName}`;
  const desired = f.answeredDesiredCount ?? f.desiredCount ?? 1;
  const taskDefinitionArn = f.taskDefinition
    ? `arn:aws:ecs:${f.region}:${f.account}:task-definition/${f.taskDefinition}`
    : undefined;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:${f.callerArn.split('/').pop()}`,
      arn: f.callerArn,
      accountId: f.account,
    },
    eventTime: isoSeconds(f.atMs),
    eventSource: 'ecs.amazonaws.com',
    eventName: f.eventName,
    awsRegion: f.region,
    sourceIPAddress: '203.0.113.61',
    userAgent: 'aws-cli/2.22.4 md/command#ecs.update-service',
    requestParameters: {
      cluster: f.clusterName,
      ...(f.eventName === 'CreateService'
        ? { serviceName: f.serviceName }
        : { service: f.serviceName }),
      ...(f.taskDefinition ? { taskDefinition: f.taskDefinition } : {}),
      ...(f.desiredCount !== undefined ? { desiredCount: f.desiredCount } : {}),
    },
    responseElements: {
      service: {
        serviceArn,
        serviceName: f.serviceName,
        clusterArn: clusterArnOf(f),
        status: 'ACTIVE',
        desiredCount: desired,
        runningCount: f.runningCount ?? desired,
        pendingCount: 0,
        ...(taskDefinitionArn ? { taskDefinition: taskDefinitionArn } : {}),
        deployments: [
          {
            id: `ecs-svc/${String(f.atMs).padStart(19, '7')}`,
            status: 'PRIMARY',
            ...(taskDefinitionArn ? { taskDefinition: taskDefinitionArn } : {}),
            desiredCount: f.eventName === 'CreateService' ? 0 : desired,
            pendingCount: 0,
            runningCount: 0,
            failedTasks: 0,
            createdAt: sdkDate(f.atMs),
            updatedAt: sdkDate(f.atMs),
            rolloutState: 'IN_PROGRESS',
          },
        ],
        createdAt: sdkDate(f.atMs),
        schedulingStrategy: 'REPLICA',
        deploymentController: { type: 'ECS' },
      },
    },
    requestID: `${f.eventId.slice(0, 8)}-req`,
    eventID: f.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: f.account,
    eventCategory: 'Management',
  };
}

/** CloudTrail's rendering of dates nested in responseElements, e.g. "Nov 20, 2026, 3:00:05 AM". */
export function sdkDate(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hour = d.getUTCHours() % 12 || 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hour}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

/** A RunTask record delivered through EventBridge ("AWS API Call via CloudTrail"). */
export const cloudTrailApiCallEventArb: fc.Arbitrary<Generated<RunTaskFacts>> = fc
  .record({ generated: runTaskRecordArb, id: fc.uuid() })
  .map(({ generated, id }) => ({
    facts: generated.facts,
    event: envelopeOf('AWS API Call via CloudTrail', generated.event, {
      id,
      account: generated.facts.account,
      region: generated.facts.region,
      timeMs: generated.facts.atMs,
      resources: [],
    }),
  }));

/** A RunTask record as LookupEvents returns it: the record is a JSON string. */
export const lookupEventsEventArb: fc.Arbitrary<Generated<RunTaskFacts>> = runTaskRecordArb.map(
  (generated) => ({
    facts: generated.facts,
    event: {
      EventId: generated.facts.eventId,
      EventName: 'RunTask',
      ReadOnly: 'false',
      EventTime: isoSeconds(generated.facts.atMs),
      EventSource: 'ecs.amazonaws.com',
      Username: generated.facts.callerArn.split('/').pop(),
      Resources: [],
      CloudTrailEvent: JSON.stringify(generated.event),
    },
  }),
);

/** Generators of every input kind the mapper accepts, by name. */
export const INPUT_KIND_ARBITRARIES = {
  'task-state-change': taskStateChangeArb,
  'container-instance-state-change': containerInstanceStateChangeArb,
  'service-action': serviceActionArb,
  'deployment-state-change': deploymentStateChangeArb,
  'api-call-via-eventbridge': cloudTrailApiCallEventArb,
  'cloudtrail-record': runTaskRecordArb,
  'lookup-events-event': lookupEventsEventArb,
} as const;

export type InputKind = keyof typeof INPUT_KIND_ARBITRARIES;
export type InputMix = Readonly<Record<InputKind, number>>;

/** For properties: every kind often enough to be exercised, still mostly task state changes. */
export const PROPERTY_MIX: InputMix = {
  'task-state-change': 12,
  'container-instance-state-change': 2,
  'service-action': 2,
  'deployment-state-change': 1,
  'api-call-via-eventbridge': 1,
  'cloudtrail-record': 1,
  'lookup-events-event': 1,
};

/**
 * Shares like a live account's EventBridge traffic (for benchmarks and the simulator): a task
 * emits 5–8 state changes in its life, EC2 agents reconnect several times an hour, services
 * resend steady-state events, and API calls via CloudTrail are a few percent; bare CloudTrail
 * records and LookupEvents events come from backfills only.
 */
export const LIVE_TRAFFIC_MIX: InputMix = {
  'task-state-change': 70,
  'container-instance-state-change': 12,
  'service-action': 8,
  'deployment-state-change': 3,
  'api-call-via-eventbridge': 4,
  'cloudtrail-record': 2,
  'lookup-events-event': 1,
};

/** Inputs of every kind with positive weight in `mix`, drawn in proportion to it. */
export function ecsInputMixArb(mix: InputMix): fc.Arbitrary<Record<string, unknown>> {
  const weighted = (Object.keys(mix) as InputKind[])
    .filter((kind) => mix[kind] > 0)
    .map((kind) => ({
      weight: mix[kind],
      arbitrary: (INPUT_KIND_ARBITRARIES[kind] as fc.Arbitrary<Generated<unknown>>).map(
        (g) => g.event,
      ),
    }));
  return fc.oneof(...weighted);
}

/** Any input kind the mapper accepts, mostly task state changes (see {@link PROPERTY_MIX}). */
export const ecsInputArb: fc.Arbitrary<Record<string, unknown>> = ecsInputMixArb(PROPERTY_MIX);

/** Adds fields AWS might add tomorrow at the top level and in `detail`, without touching known ones. */
export function withUnknownFields(extra: Record<string, unknown>) {
  return (event: Record<string, unknown>): Record<string, unknown> => {
    const prefixed = Object.fromEntries(Object.entries(extra).map(([k, v]) => [`x${k}`, v]));
    const detail = event['detail'];
    return {
      ...prefixed,
      ...event,
      ...(detail && typeof detail === 'object' ? { detail: { ...prefixed, ...detail } } : {}),
    };
  };
}

/**
 * A deterministic sample of inputs, by default in {@link LIVE_TRAFFIC_MIX} proportions.
 *
 * @example
 * const events = sampleEcsInputs(10_000, 42);
 * const tasksOnly = sampleEcsInputs(1_000, 7, { ...NO_KINDS, 'task-state-change': 1 });
 */
export function sampleEcsInputs(
  count: number,
  seed: number,
  mix: InputMix = LIVE_TRAFFIC_MIX,
): Record<string, unknown>[] {
  return fc.sample(ecsInputMixArb(mix), { numRuns: count, seed });
}

/** A mix with every weight 0, to spread from when only some kinds are wanted. */
export const NO_KINDS: InputMix = {
  'task-state-change': 0,
  'container-instance-state-change': 0,
  'service-action': 0,
  'deployment-state-change': 0,
  'api-call-via-eventbridge': 0,
  'cloudtrail-record': 0,
  'lookup-events-event': 0,
};

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
