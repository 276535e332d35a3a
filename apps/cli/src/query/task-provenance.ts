/**
 * Who ran what, where: a task's provenance gathered from its history — per container the image,
 * the digest it ran, the runtime's id and its addresses; per task the platform, the ENI, the host
 * (the container instance, and the EC2 instance the store's container-instance record names), the
 * deployment that placed it and the call that started it. Pure: the EC2 instance id is an
 * argument, which {@link ec2InstanceOf} reads through the store reader it is given.
 */
import type { AuditRecord, TaskNetwork } from '@ecslog/ecs-event-mapper';

/** One container, as the latest record that says each fact about it tells it. */
export interface ContainerProvenance {
  name: string;
  image?: string;
  imageDigest?: string;
  runtimeId?: string;
  /** Its private IPv4 and IPv6 addresses on the task's network interfaces, in ECS's order. */
  addresses: string[];
}

/** The call that started the task (RunTask, StartTask), when the history holds it. */
export interface StartCall {
  eventName: string;
  /** The caller's ARN, or the AWS service that called. */
  caller?: string;
  eventTime: string;
}

/**
 * A task's provenance: `ecslog task` prints it, and `--json` adds it to each line under the key
 * `provenance`. A field is absent when no record of the task says it (a record of schema 1, an EC2
 * task in bridge mode without an ENI, a Fargate task without a host).
 */
export interface TaskProvenance {
  containers: ContainerProvenance[];
  launchType?: string;
  capacityProviderName?: string;
  platformVersion?: string;
  /** The task's ENI (awsvpc network mode). */
  network?: TaskNetwork;
  containerInstanceArn?: string;
  /** From the store's record of the container instance, when it has one. */
  ec2InstanceId?: string;
  /** `startedBy` as ECS reports it. */
  startedBy?: string;
  /** The service deployment that placed the task: its `startedBy` when that is `ecs-svc/<id>`. */
  deployment?: string;
  startCall?: StartCall;
}

const START_CALLS = new Set(['RunTask', 'StartTask']);

/**
 * The provenance of a task from its records (any order). Each fact is the latest that any state
 * change says (by version), else what the call that started it answered: a STOPPED event that
 * leaves out a field does not lose what an earlier one said.
 *
 * @example
 * const provenance = taskProvenanceOf(stored.history, { ec2InstanceId: 'i-0abc…' });
 * provenance.containers[0]?.imageDigest; // 'sha256:…'
 */
export function taskProvenanceOf(
  records: readonly AuditRecord[],
  host: { ec2InstanceId?: string } = {},
): TaskProvenance {
  const states = records
    .filter((record) => record.recordType === 'task')
    .sort((a, b) => (b.version ?? 0) - (a.version ?? 0) || b.eventTime.localeCompare(a.eventTime));
  const calls = records
    .filter((record) => record.recordType === 'api-call')
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const startCall = calls.find((call) => START_CALLS.has(call.eventName ?? ''));
  /** Latest state first, then the start call's answer. */
  const sources = startCall ? [...states, startCall] : states;
  const first = <K extends keyof AuditRecord>(key: K): AuditRecord[K] | undefined =>
    sources.find((record) => record[key] !== undefined && record[key] !== '')?.[key];

  const startedBy = first('startedBy');
  const provenance: TaskProvenance = { containers: containersOf(sources) };
  const facts: Omit<TaskProvenance, 'containers'> = {
    launchType: first('launchType'),
    capacityProviderName: first('capacityProviderName'),
    platformVersion: first('platformVersion'),
    network: first('network'),
    containerInstanceArn: first('containerInstanceArn'),
    ec2InstanceId: host.ec2InstanceId,
    startedBy,
    deployment: startedBy?.startsWith('ecs-svc/') ? startedBy : undefined,
    startCall: startCall && {
      eventName: startCall.eventName as string,
      ...(startCall.caller !== undefined && { caller: startCall.caller }),
      eventTime: startCall.eventTime,
    },
  };
  for (const [key, value] of Object.entries(facts))
    if (value !== undefined) Object.assign(provenance, { [key]: value });
  return provenance;
}

/** Each container by name, in the order the latest record lists them; each fact its latest. */
function containersOf(sources: readonly AuditRecord[]): ContainerProvenance[] {
  const byName = new Map<string, ContainerProvenance>();
  for (const record of sources)
    for (const container of record.containers ?? []) {
      let known = byName.get(container.name);
      if (known === undefined) {
        known = {
          name: container.name,
          image: undefined,
          imageDigest: undefined,
          runtimeId: undefined,
          addresses: [],
        };
        byName.set(container.name, known);
      }
      known.image ??= container.image;
      known.imageDigest ??= container.imageDigest;
      known.runtimeId ??= container.runtimeId;
      if (known.addresses.length === 0)
        known.addresses = (container.networkInterfaces ?? []).flatMap((eni) =>
          [eni.privateIpv4, eni.ipv6].filter((address): address is string => address !== undefined),
        );
    }
  // Facts no record says are left out of the JSON, not written as undefined.
  return [...byName.values()].map(
    (container) =>
      Object.fromEntries(
        Object.entries(container).filter(([, value]) => value !== undefined),
      ) as unknown as ContainerProvenance,
  );
}

/**
 * The EC2 instance of the task's container instance, from the store's latest record of that
 * container instance (one GetItem): absent when the task ran on none (Fargate) or the store holds
 * no record of it.
 */
export async function ec2InstanceOf(
  reader: { latest(resourceArn: string): Promise<AuditRecord | undefined> },
  history: readonly AuditRecord[],
): Promise<string | undefined> {
  const arn = taskProvenanceOf(history).containerInstanceArn;
  if (arn === undefined) return undefined;
  return (await reader.latest(arn))?.ec2InstanceId;
}
