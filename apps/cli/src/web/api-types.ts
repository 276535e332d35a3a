/** What the web server answers and the page reads: the contract between the two. */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { PackedTimeline, Timeline } from '@ecslog/task-runs';
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
  const { store, choices, omitted } = answer;
  return { ...unpackTimeline(answer), store, choices, ...(omitted ? { omitted } : {}) };
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
}

/** `GET /api/task?arn=…`: every record of one task, oldest first. */
export interface TaskHistoryResponse {
  records: AuditRecord[];
}

/** Any `/api/` answer that is not 200. */
export interface ErrorResponse {
  error: string;
}
