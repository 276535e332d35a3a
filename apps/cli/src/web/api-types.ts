/** What the web server answers and the page reads: the contract between the two. */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { DigestDrift, LookupKind, PackedTimeline, Timeline } from '@ecslog/task-runs';
import { unpackTimeline } from '@ecslog/task-runs';

/**
 * `GET /api/timeline?…`: the timeline of the filters, packed (10,000 runs are ≈ 1.5 MB of JSON,
 * not 7.5), and what the filters can choose from.
 */
export interface TimelineResponse extends PackedTimeline, TimelineResponseFacts {}

/** The page's timeline: the answer, its timeline unpacked (`unpackTimeline`). */
export interface TimelineView extends Timeline, TimelineResponseFacts {}

/** The page's timeline of an answer. */
export function timelineViewOf(answer: TimelineResponse): TimelineView {
  const { store, choices, omitted, drifts, search } = answer;
  return {
    ...unpackTimeline(answer),
    store,
    choices,
    drifts,
    ...(omitted ? { omitted } : {}),
    ...(search ? { search } : {}),
  };
}

/** What a timeline's answer says besides its timeline. */
export interface TimelineResponseFacts {
  /** `the local store in .ecslog`, `table ecslog-audit in eu-west-1`. */
  store: string;
  choices: { clusters: string[]; groups: { clusterName: string; group: string }[] };
  /**
   * Set when the view held more runs than a timeline carries: none are sent, the count is. With
   * `complete` false, reading stopped once more than `limit` were certain: `runs` is the count
   * so far, of any status (the status filter needs every run read).
   */
  omitted?: { runs: number; limit: number; complete: boolean };
  /**
   * The digest drift among the runs shown (`digestDrift` of `@ecslog/task-runs`): within one
   * deployment, an image reference whose runs ran different digests. The page marks those runs.
   */
  drifts: DigestDrift[];
  /** Set for `GET /api/search?q=…`: what was searched for, and what of each run matched. */
  search?: SearchFacts;
}

/**
 * `GET /api/search?q=TEXT&…` answers a {@link TimelineResponse} of the runs the text finds in the
 * range (and the filters): a task (its id or ARN: its run, whatever the range), or the runs that
 * held an address, ran an image or ran on an instance — the store's lookups, as `ecslog tasks
 * --ip/--image/--instance` reads them.
 */
export interface SearchFacts {
  /** The text, as given. */
  text: string;
  kind: LookupKind;
  /** `at address 10.0.4.17`, `of image web:v2`, `on instance i-0abc…`, `task 0123…`. */
  description: string;
  /** What of each run matched (the address, the digests, the host), by run id. */
  matched: Record<string, string>;
}

/** `GET /api/task?arn=…`: every record of one task, oldest first. */
export interface TaskHistoryResponse {
  records: AuditRecord[];
  /** The EC2 instance of the task's container instance, from the store's record of it. */
  ec2InstanceId?: string;
}

/** Any `/api/` answer that is not 200. */
export interface ErrorResponse {
  error: string;
}
