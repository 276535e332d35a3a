/**
 * How the notifier stores its JSON (each item's `doc`, each outbox entry's message `m`): deflated
 * with a preset dictionary of the documents' recurring keys and ECS strings, as a binary
 * attribute. DynamoDB bills a write by the whole item's size (1 KB a unit), and every counted
 * failure, outbox claim and outbox removal rewrites an incident's state item, so its size is the
 * notifier's cost: ≈ 1.6 KB of incident JSON deflates to ≈ 0.3 KB.
 *
 * The first byte says how the rest is encoded. Items live for weeks (snapshots) and a state item
 * for as long as its incident key, so a format is never changed: a new dictionary is a new
 * format byte, and decoding keeps every old one — including items written before compression,
 * whose JSON is a string attribute.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const FORMAT_DEFLATE_DICTIONARY_1 = 1;

/**
 * Deflate's dictionary: the JSON skeletons of `IncidentItem`, `Incident`, `IncidentMessage`,
 * `ServiceWatch` and `ScheduleWatch` as `JSON.stringify` writes them (key order of the core's
 * object literals) and ECS's own strings; the most frequent last (they are the cheapest to refer
 * to). Only generic text: no account, cluster or service of any fixture.
 */
const DICTIONARY_1 = Buffer.from(
  [
    'us-east-2 us-west-1 eu-west-2 eu-central-1 eu-north-1 ap-northeast-1 ap-south-1 sa-east-1 ',
    'CannotPullContainerError: ResourceInitializationError: unable to pull secrets or registry auth: ',
    'OutOfMemoryError: Container killed due to memory usage Task failed container health checks ',
    'Your Spot Task was interrupted. Host EC2 (instance i-0) terminated. Task stopped during instance draining ',
    'CannotStartContainerError: failed to get container status ',
    'TaskFailedToStart SpotInterruption TerminationNotice UserInitiated InfrastructureHealth ',
    'AccessDeniedException InvalidParameterException ClientException ThrottlingException ',
    'ECS deployment circuit breaker: ',
    '"resolution":"steady-state""resolution":"next-run-succeeded""resolution":"running-as-desired""resolution":"ran-again"',
    '{"kind":"schedule","id":"arn:aws:ecs:us-east-1:","clusterArn":"arn:aws:ecs:us-east-1:","recentStarts":["',
    '"],"startedBy":"events-rule/","pending":{"failure#","crash-loop":"","recoveredAt":"2026-',
    '{"kind":"service","id":"arn:aws:ecs:us-east-1:","clusterArn":"arn:aws:ecs:us-east-1:","recentStops":[{"runId":"',
    '"desiredCount":2,"desiredCountAt":"2026-","belowDesiredSince":"2026-',
    '"kind":"crash-loop""kind":"silence""kind":"missed-run","detail":"',
    '","category":"out-of-memory","category":"image-pull","category":"resource-initialization","category":"spot-interruption',
    '","category":"placement","category":"deployment-failed","category":"infrastructure","category":"other',
    '","category":"start-failure","category":"api-error","category":"health-check","category":"essential-container-exited',
    'RunTask by arn:aws:sts:::assumed-role/ failed: ',
    'health check failed: Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1::targetgroup/',
    'failed to start: infrastructure: ',
    '{"messageId":"arn:aws:ecs:us-east-1:#1#resolved#0","kind":"resolved","incident":{',
    '{"messageId":"arn:aws:ecs:us-east-1:#1#updated#1","kind":"updated","incident":{',
    ',"createdAt":"2026-11-01T00:00:00.000Z","failedRunsSinceLastMessage":1}',
    '{"messageId":"arn:aws:ecs:us-east-1:#1#opened#0","kind":"opened","incident":{',
    '{"kind":"incident","id":"arn:aws:ecs:us-east-1:","incident":{"id":"arn:aws:ecs:us-east-1:',
    '"},"countedRuns":["","droppedUpTo":"2026-"],"updates":0,"lastMessageAt":"2026-11-01T00:00:00.000Z","failedRunsAtLastMessage":1}',
    '","resolvedAt":"2026-11-01T00:00:00.000Z","resolution":"quiet-period"}',
    '"exitCodes":[],"account":"","region":"eu-west-1","startedBy":"events-rule/',
    '"stoppedReason":"Essential container in task exited","stopCode":"EssentialContainerExited","startedBy":"ecs-svc/',
    '","stopCode":"ServiceSchedulerInitiated","startedBy":"ecs-svc/',
    '"summary":"container  exited with code 1","exitCodes":[{"container":"","exitCode":1},{"container":"","exitCode":137}],',
    '"account":"","region":"us-west-2","taskId":"","stoppedReason":"',
    '"},"last":{"runId":"arn:aws:ecs:us-east-1::task/","at":"2026-11-01T00:00:00.000Z","category":"","summary":"',
    '"key":{"clusterArn":"arn:aws:ecs:us-east-1::cluster/","clusterName":"","group":"service:","group":"family:","kind":"failure","category":"',
    '"},"episode":1,"status":"resolved","status":"open","openedAt":"2026-11-01T00:00:00.000Z","lastFailureAt":"2026-11-01T00:00:00.000Z",',
    '"failedRuns":1,"first":{"runId":"arn:aws:ecs:us-east-1::task/","at":"2026-11-01T00:00:00.000Z","category":"","summary":"',
  ].join(''),
);

/** Level 9: a document is written once per change and read a few times; bytes are what costs. */
const DEFLATE_OPTIONS_1 = { dictionary: DICTIONARY_1, level: 9 };

/**
 * The stored bytes of a JSON value: a format byte, then the deflated JSON.
 *
 * @example
 * const stored = encodeDocument(item); // Uint8Array, a binary attribute
 * decodeDocument<IncidentItem>(stored); // item again
 */
export function encodeDocument(value: unknown): Uint8Array {
  const deflated = deflateRawSync(JSON.stringify(value), DEFLATE_OPTIONS_1);
  const stored = Buffer.allocUnsafe(deflated.length + 1);
  stored[0] = FORMAT_DEFLATE_DICTIONARY_1;
  deflated.copy(stored, 1);
  return stored;
}

/** A stored document that is neither JSON text nor bytes of a known format. */
export class StoredDocumentError extends Error {
  override readonly name = 'StoredDocumentError';
}

/**
 * The value of a stored attribute, whatever form it was written in: the bytes of
 * {@link encodeDocument} (any format it ever wrote), or the JSON string items held before.
 *
 * @example
 * const item = decodeDocument<NotifierItem>(Item['doc']);
 */
export function decodeDocument<T>(stored: unknown): T {
  try {
    if (typeof stored === 'string') return JSON.parse(stored) as T;
    if (stored instanceof Uint8Array) {
      const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      if (bytes[0] === FORMAT_DEFLATE_DICTIONARY_1)
        return JSON.parse(
          inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_1 }).toString('utf8'),
        ) as T;
      throw new StoredDocumentError(`stored document has an unknown format byte ${bytes[0]}`);
    }
  } catch (error) {
    if (error instanceof StoredDocumentError) throw error;
    throw new StoredDocumentError('stored document cannot be decoded', { cause: error });
  }
  throw new StoredDocumentError(`stored document is a ${typeof stored}, not text or bytes`);
}
