/**
 * Digest drift: within one deployment of a service, tasks that ran different image digests of the
 * same image reference. A deployment pins a task definition, not an image: when its image is a
 * mutable tag (`web:latest`, `web:v2`) re-pushed while the deployment places tasks, ECS resolves
 * the tag again for each new task, and one deployment ends up running two builds. Pure.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from './task-runs';

/** One digest of a drifted image reference: which runs ran it, and when the first of them began. */
export interface DriftDigest {
  /** `sha256:…` as ECS reported it. */
  digest: string;
  /** The earliest start (ISO-8601) of the runs that ran it. */
  firstSeen: string;
  /** The runs that ran it ({@link TaskRun.id}: task ARNs), in start order. */
  runIds: string[];
  /** Their task ids, in the same order. */
  taskIds: string[];
}

/**
 * An image reference that ran as more than one digest within one deployment: the runs of the
 * deployment with a container of that reference and a digest ECS reported for it.
 */
export interface DigestDrift {
  clusterArn: string;
  clusterName: string;
  /** `service:NAME`, as ECS reports the tasks' group (absent when ECS gave none). */
  group?: string;
  /** The deployment: the tasks' `startedBy`, `ecs-svc/<id>`. */
  deployment: string;
  /** The image reference as the task definition names it (`repository:tag`). */
  image: string;
  /** Two or more, by first seen (then digest). */
  digests: DriftDigest[];
  /** When the reference first ran as a second digest: the second digest's {@link DriftDigest.firstSeen}. */
  driftedAt: string;
}

/** An image reference of one deployment in one cluster: its digests, each with its runs. */
interface Reference {
  /** The first record seen of it: its cluster, group and deployment. */
  first: AuditRecord;
  image: string;
  digests: Map<string, TaskRun[]>;
}

/** `startedBy` of a task a service's deployment placed. */
const DEPLOYMENT_PREFIX = 'ecs-svc/';

/**
 * The image references that ran as more than one digest within one deployment of a service
 * (runs started by `ecs-svc/<id>`, in the same cluster), each with its digests, their runs and
 * when each was first seen; by {@link DigestDrift.driftedAt}, then cluster, deployment, image.
 * A run counts by its containers as the record that tells it reports them; containers whose
 * digest ECS had not resolved yet count for nothing. Runs outside a deployment (scheduled and
 * standalone tasks) are never compared.
 *
 * @example
 * const [drift] = digestDrift(runsOfTheService);
 * drift?.digests.map((d) => `${d.digest} since ${d.firstSeen}: ${d.taskIds.join(', ')}`);
 */
export function digestDrift(runs: readonly TaskRun[]): DigestDrift[] {
  /** Each image reference of a deployment in a cluster, its digests and their runs. */
  const references: Reference[] = [];
  /** By cluster, then deployment, then image: nested maps of the record's own strings (no keys built). */
  const byCluster = new Map<string, Map<string, Map<string, Reference>>>();
  for (const run of runs) {
    const { record } = run;
    const deployment = record.startedBy;
    if (deployment === undefined || !deployment.startsWith(DEPLOYMENT_PREFIX)) continue;
    const containers = record.containers ?? [];
    for (const [index, container] of containers.entries()) {
      const { image, imageDigest } = container;
      if (image === undefined || imageDigest === undefined) continue;
      // One task with two containers of one image counts once per digest.
      if (
        containers
          .slice(0, index)
          .some((other) => other.image === image && other.imageDigest === imageDigest)
      )
        continue;
      let byDeployment = byCluster.get(record.clusterArn);
      if (byDeployment === undefined) {
        byDeployment = new Map();
        byCluster.set(record.clusterArn, byDeployment);
      }
      let byImage = byDeployment.get(deployment);
      if (byImage === undefined) {
        byImage = new Map();
        byDeployment.set(deployment, byImage);
      }
      let reference = byImage.get(image);
      if (reference === undefined) {
        reference = { first: record, image, digests: new Map() };
        byImage.set(image, reference);
        references.push(reference);
      }
      const withDigest = reference.digests.get(imageDigest);
      if (withDigest) withDigest.push(run);
      else reference.digests.set(imageDigest, [run]);
    }
  }
  const drifts: DigestDrift[] = [];
  for (const { first, image, digests } of references) {
    if (digests.size < 2) continue;
    const listed = [...digests].map(([digest, withDigest]): DriftDigest => {
      const inOrder = [...withDigest].sort(byStartThenId);
      return {
        digest,
        firstSeen: (inOrder[0] as TaskRun).startTime,
        runIds: inOrder.map((run) => run.id),
        taskIds: inOrder.map((run) => run.record.taskId ?? run.id),
      };
    });
    listed.sort((a, b) => order(a.firstSeen, b.firstSeen) || order(a.digest, b.digest));
    drifts.push({
      clusterArn: first.clusterArn,
      clusterName: first.clusterName,
      ...(first.group !== undefined && { group: first.group }),
      deployment: first.startedBy as string,
      image,
      digests: listed,
      driftedAt: (listed[1] as DriftDigest).firstSeen,
    });
  }
  return drifts.sort(
    (a, b) =>
      order(a.driftedAt, b.driftedAt) ||
      order(a.clusterArn, b.clusterArn) ||
      order(a.deployment, b.deployment) ||
      order(a.image, b.image),
  );
}

/**
 * The drifts each run is in, by run id: what a view marks on a run, and says in its details.
 *
 * @example
 * driftsByRun(digestDrift(runs)).get(run.id)?.length; // 1: this run's image drifted
 */
export function driftsByRun(drifts: readonly DigestDrift[]): Map<string, DigestDrift[]> {
  const byRun = new Map<string, DigestDrift[]>();
  for (const drift of drifts)
    for (const { runIds } of drift.digests)
      for (const id of runIds) {
        const list = byRun.get(id);
        if (list === undefined) byRun.set(id, [drift]);
        else if (!list.includes(drift)) list.push(drift);
      }
  return byRun;
}

function byStartThenId(a: TaskRun, b: TaskRun): number {
  return order(a.startTime, b.startTime) || order(a.id, b.id);
}

/** Code-unit order (ISO times sort as times): not `localeCompare`, which is many times slower. */
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
