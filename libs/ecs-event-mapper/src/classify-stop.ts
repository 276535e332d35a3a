import type { ChurnKind, ContainerState, FailureCategory, Outcome } from './audit-record';

/** What classification needs to know about a task. */
export interface TaskStopFacts {
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  capacityProviderName?: string;
  containers?: readonly ContainerState[];
}

interface ReasonPattern {
  category: FailureCategory;
  pattern: RegExp;
  /** How the summary names the problem, e.g. "image pull failed". */
  label: string;
}

/**
 * Recognised failure reasons, from the ECS developer guide's stopped-task error pages, in
 * precedence order. Each reason text (every container's, and the task's stoppedReason) is
 * classified by its leftmost match; among the texts, the category earliest in this list wins.
 * A task killed for memory reports OutOfMemoryError on the container even when the task
 * reason is the generic "Essential container in task exited", so the specific causes come first.
 */
const REASON_PATTERNS: readonly ReasonPattern[] = [
  {
    category: 'out-of-memory',
    pattern: /OutOfMemory|out of memory|OOMKilled/i,
    label: 'out of memory',
  },
  {
    category: 'image-pull',
    pattern:
      /CannotPullContainer|CannotPullImageManifest|pull image manifest|ref pull has been retried|image pull/i,
    label: 'image pull failed',
  },
  {
    category: 'resource-initialization',
    pattern:
      /ResourceInitializationError|CannotCreateVolumeError|Timeout waiting for (?:network interface|EphemeralStorage) provisioning/i,
    label: 'resource initialization failed',
  },
  {
    category: 'health-check',
    pattern: /failed (?:container |ELB |load balancer )?health checks?/i,
    label: 'health check failed',
  },
  {
    category: 'spot-interruption',
    pattern: /\bspot\b.*\binterrupt|\binterrupt.*\bspot\b/i,
    label: 'Spot capacity reclaimed',
  },
  {
    category: 'start-failure',
    pattern:
      /CannotStartContainerError|CannotCreateContainerError|CannotInspectContainerError|ContainerRuntimeTimeoutError|DockerTimeoutError|Could not transition to running|failed to start/i,
    label: 'failed to start',
  },
  {
    category: 'infrastructure',
    pattern:
      /CannotStopContainerError|ContainerRuntimeError|InternalError|Host EC2 \(instance [^)]*\) (?:stopped|terminated)|instance .*terminated|deregistration forced|performing maintenance|underlying infrastructure|hardware/i,
    label: 'infrastructure',
  },
];

/** Stop codes that mean a person or the service scheduler stopped the task on purpose. */
const DELIBERATE_STOP_CODES: Readonly<Record<string, string>> = {
  UserInitiated: 'stopped by user',
  ServiceSchedulerInitiated: 'stopped by service scheduler',
};

/** Stop codes that name the category on their own, whatever the reason text says. */
const STOP_CODE_CATEGORIES: Readonly<Record<string, FailureCategory>> = {
  SpotInterruption: 'spot-interruption',
  TerminationNotice: 'infrastructure',
  TaskFailedToStart: 'start-failure',
};

/**
 * `InfrastructureHealth`: ECS stopped the task because the infrastructure under it was unhealthy
 * (ECS Managed Instances' auto repair replaces container instances whose health checks report
 * IMPAIRED; a critical daemon that fails marks its instance impaired, which is drained and
 * replaced; the service scheduler starts the task again elsewhere). The task did nothing wrong,
 * so this is churn, not a failure of the task — unless a container says otherwise (a failure
 * reason, or an exit code that stopping does not give), when it stays `infrastructure` as before.
 */
const INFRASTRUCTURE_HEALTH = 'InfrastructureHealth';

/**
 * The service scheduler scaling a deployment in. The ECS guide's stopped-task errors page gives
 * "Scaling activity initiated by (deployment deployment-id)"; in events the id is `ecs-svc/…`.
 * Both a lower desired count and a newer deployment replacing old tasks read so: one kind.
 */
const SCALE_IN_REASON = /^Scaling activity initiated by \(deployment /;

/**
 * ECS Managed Instances drain each instance routinely (from day 14 after launch, per the AWS
 * Batch guide's "Instance draining and task interruptions"), stopping its tasks with this reason.
 */
const INSTANCE_DRAINING_REASON = /^Task stopped during instance draining\b/;

/** How a churn outcome's summary begins. */
const CHURN_LABELS: Readonly<Record<ChurnKind, string>> = {
  'scale-in': 'stopped by service scheduler',
  'instance-draining': 'instance drained',
  'infrastructure-health': 'moved off unhealthy infrastructure',
};

/** Exit codes a container gets from being told to stop (0, SIGINT, SIGKILL, SIGTERM). */
const STOP_SIGNAL_EXIT_CODES = new Set([0, 130, 137, 143]);

/**
 * The outcome of a task state change.
 *
 * Not yet STOPPED → `in-progress`. STOPPED → the first that applies:
 * 1. a recognised failure reason on a container or the task (see {@link REASON_PATTERNS});
 * 2. a stop code that names a category (SpotInterruption, TerminationNotice, TaskFailedToStart, …);
 * 3. expected churn — scale-in, instance draining, InfrastructureHealth ({@link ChurnKind}) — with
 *    every exit code one that stopping gives → `stopped` with `churn`;
 * 4. a deliberate stop (UserInitiated, ServiceSchedulerInitiated) → `stopped`;
 * 5. a container that exited non-zero → `essential-container-exited`;
 * 6. containers that all exited 0 → `succeeded`;
 * 7. otherwise `failed`/`other`, with the reason verbatim in the summary.
 *
 * @example
 * classifyStop({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited',
 *   containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }] })
 * // → { status: 'failed', category: 'out-of-memory', summary: 'container web killed: out of memory (exit 137)' }
 */
export function classifyStop(task: TaskStopFacts): Outcome {
  if (task.lastStatus !== 'STOPPED') {
    if (task.lastStatus === undefined) return { status: 'in-progress', summary: 'status unknown' };
    const desired =
      task.desiredStatus && task.desiredStatus !== task.lastStatus
        ? ` (desired ${task.desiredStatus})`
        : '';
    return { status: 'in-progress', summary: `${task.lastStatus}${desired}` };
  }

  const byReason = failureFromReasons(task);
  if (byReason) return byReason;

  const codeCategory = stopCodeCategory(task);
  if (codeCategory) {
    return failed(
      codeCategory,
      `${task.stopCode}${task.stoppedReason ? `: ${task.stoppedReason}` : ''}`,
    );
  }

  const churn = churnOf(task);
  const unexpected = unexpectedExit(task);
  const note = unexpected ? ` (container ${unexpected.name} exited ${unexpected.exitCode})` : '';
  if (churn && !unexpected) {
    const code = churn === 'infrastructure-health' ? ` (${task.stopCode})` : '';
    return {
      status: 'stopped',
      churn,
      summary: `${CHURN_LABELS[churn]}${code}${task.stoppedReason ? `: ${task.stoppedReason}` : ''}`,
    };
  }
  if (churn === 'infrastructure-health')
    return failed(
      'infrastructure',
      `${task.stopCode}${task.stoppedReason ? `: ${task.stoppedReason}` : ''}${note}`,
    );

  const deliberate = task.stopCode ? DELIBERATE_STOP_CODES[task.stopCode] : undefined;
  if (deliberate) {
    return {
      status: 'stopped',
      summary: `${deliberate}${task.stoppedReason ? `: ${task.stoppedReason}` : ''}${note}`,
    };
  }

  const exited = (task.containers ?? []).filter((c) => c.exitCode !== undefined);
  const nonZero = exited.find((c) => c.exitCode !== 0);
  if (nonZero) {
    const reason = nonZero.reason ? `: ${nonZero.reason}` : '';
    return failed(
      'essential-container-exited',
      `container ${nonZero.name} exited with code ${nonZero.exitCode}${reason}`,
    );
  }
  if (exited.length > 0 && exited.length === (task.containers ?? []).length) {
    const names =
      exited.length === 1 ? `container ${exited[0]?.name}` : `all ${exited.length} containers`;
    return { status: 'succeeded', summary: `${names} exited 0` };
  }

  const why = [task.stopCode, task.stoppedReason].filter(Boolean).join(': ');
  return failed('other', why ? `stopped: ${why}` : 'stopped with no reason given');
}

/**
 * The churn a stop is, if any: the `InfrastructureHealth` stop code, or a scale-in or draining
 * reason with no stop code or the scheduler's (a person's StopTask with such a reason is theirs).
 */
function churnOf(task: TaskStopFacts): ChurnKind | undefined {
  if (task.stopCode === INFRASTRUCTURE_HEALTH) return 'infrastructure-health';
  if (task.stopCode !== undefined && task.stopCode !== 'ServiceSchedulerInitiated')
    return undefined;
  const reason = task.stoppedReason ?? '';
  if (SCALE_IN_REASON.test(reason)) return 'scale-in';
  if (INSTANCE_DRAINING_REASON.test(reason)) return 'instance-draining';
  return undefined;
}

/** The first container whose exit code is not one that being stopped gives. */
function unexpectedExit(task: TaskStopFacts): ContainerState | undefined {
  return (task.containers ?? []).find(
    (c) => c.exitCode !== undefined && !STOP_SIGNAL_EXIT_CODES.has(c.exitCode),
  );
}

/** A termination notice on Spot capacity is a Spot interruption; elsewhere, infrastructure. */
function stopCodeCategory(task: TaskStopFacts): FailureCategory | undefined {
  if (task.stopCode === 'TerminationNotice' && /spot/i.test(task.capacityProviderName ?? ''))
    return 'spot-interruption';
  return task.stopCode ? STOP_CODE_CATEGORIES[task.stopCode] : undefined;
}

/**
 * The failure category a reason text names, or undefined. When a text names several causes
 * ("CannotStartContainerError: ResourceInitializationError: …"), the outermost — leftmost —
 * wins; at the same position, the earlier pattern.
 */
export function classifyReason(reason: string): FailureCategory | undefined {
  return matchReason(reason)?.category;
}

function matchReason(reason: string): ReasonPattern | undefined {
  let best: ReasonPattern | undefined;
  let bestIndex = Infinity;
  for (const candidate of REASON_PATTERNS) {
    const index = reason.search(candidate.pattern);
    if (index >= 0 && index < bestIndex) {
      best = candidate;
      bestIndex = index;
    }
  }
  return best;
}

/** The most specific recognised reason among the containers' and the task's. */
function failureFromReasons(task: TaskStopFacts): Outcome | undefined {
  let best: { match: ReasonPattern; container?: ContainerState } | undefined;
  const consider = (text: string | undefined, container?: ContainerState) => {
    const match = text === undefined ? undefined : matchReason(text);
    if (match && (!best || precedence(match) < precedence(best.match))) best = { match, container };
  };
  for (const container of task.containers ?? []) consider(container.reason, container);
  consider(task.stoppedReason);
  if (!best) return undefined;
  const { match, container } = best;
  return container
    ? failed(match.category, containerSummary(container, match.category, match.label))
    : failed(match.category, `${match.label}: ${task.stoppedReason}`);
}

function precedence(pattern: ReasonPattern): number {
  return REASON_PATTERNS.indexOf(pattern);
}

function containerSummary(
  container: ContainerState,
  category: FailureCategory,
  label: string,
): string {
  const exit = container.exitCode !== undefined ? ` (exit ${container.exitCode})` : '';
  if (category === 'out-of-memory')
    return `container ${container.name} killed: out of memory${exit}`;
  return `container ${container.name}: ${label}${exit}: ${container.reason}`;
}

function failed(category: FailureCategory, summary: string): Outcome {
  return { status: 'failed', category, summary };
}
