/** What the web server answers and the page reads: the contract between the two. */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Timeline } from '@ecslog/task-runs';

/** `GET /api/timeline?…`: the timeline of the filters, and what the filters can choose from. */
export interface TimelineResponse extends Timeline {
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
