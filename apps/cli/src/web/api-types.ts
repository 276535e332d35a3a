/** What the web server answers and the page reads: the contract between the two. */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Incident } from '@ecslog/incidents';
import type { DigestDrift, LookupKind, PackedTimeline, Timeline } from '@ecslog/task-runs';
import { unpackTimeline } from '@ecslog/task-runs';

/**
 * `GET /api/timeline?…` and `GET /api/search?…`: the timeline of the filters (or of the search),
 * packed (10,000 runs are ≈ 1.5 MB of JSON, not 7.5), what the filters can choose from, and the
 * digest drift and search matches with runs by index (a drift of thousands of runs names each
 * by a number, not by its ARN).
 */
export interface TimelineResponse extends PackedTimeline, TimelineFacts {
  /** The digest drift among the runs shown; each digest's runs by index into `runs`. */
  drifts: PackedDrift[];
  /** Set for a search. */
  search?: PackedSearch;
}

/** The page's timeline: the answer, its timeline unpacked (`unpackTimeline`). */
export interface TimelineView extends Timeline, TimelineFacts {
  /**
   * The digest drift among the runs shown (`digestDrift` of `@ecslog/task-runs`): within one
   * deployment, an image reference whose runs ran different digests. The page marks those runs.
   */
  drifts: DigestDrift[];
  /** Set for a search: what was searched for, and what of each run matched. */
  search?: SearchFacts;
}

/** A {@link DigestDrift} on the wire: each digest's runs by index into the timeline's runs. */
export interface PackedDrift extends Omit<DigestDrift, 'digests'> {
  digests: { digest: string; firstSeen: string; runs: number[] }[];
}

/** {@link SearchFacts} on the wire: each run's match by index into `values`, in run order. */
export interface PackedSearch extends Omit<SearchFacts, 'matched'> {
  values: string[];
  matched: number[];
}

/** The drifts and search of an answer, runs by index into `timeline.runs`. */
export function packRunFacts(
  timeline: Timeline,
  drifts: readonly DigestDrift[],
  search?: SearchFacts,
): Pick<TimelineResponse, 'drifts' | 'search'> {
  const index = new Map(timeline.runs.map((run, i) => [run.id, i]));
  const indexesOf = (ids: readonly string[]) =>
    ids.map((id) => index.get(id)).filter((i): i is number => i !== undefined);
  const packed: Pick<TimelineResponse, 'drifts' | 'search'> = {
    drifts: drifts.map(({ digests, ...drift }) => ({
      ...drift,
      digests: digests.map(({ digest, firstSeen, runIds }) => ({
        digest,
        firstSeen,
        runs: indexesOf(runIds),
      })),
    })),
  };
  if (search === undefined) return packed;
  const values: string[] = [];
  const valueIndex = new Map<string, number>();
  const matched = timeline.runs.map((run) => {
    const value = search.matched[run.id] ?? '';
    let at = valueIndex.get(value);
    if (at === undefined) {
      at = values.push(value) - 1;
      valueIndex.set(value, at);
    }
    return at;
  });
  const { matched: _byId, ...facts } = search;
  return { ...packed, search: { ...facts, values, matched } };
}

/** The page's timeline of an answer. */
export function timelineViewOf(answer: TimelineResponse): TimelineView {
  const { store, choices, omitted, drifts, search } = answer;
  const timeline = unpackTimeline(answer);
  const run = (i: number) => timeline.runs[i];
  return {
    ...timeline,
    store,
    choices,
    drifts: drifts.map(({ digests, ...drift }) => ({
      ...drift,
      digests: digests.map(({ digest, firstSeen, runs }) => ({
        digest,
        firstSeen,
        runIds: runs.map((i) => run(i)?.id ?? ''),
        taskIds: runs.map((i) => run(i)?.taskId ?? run(i)?.id ?? ''),
      })),
    })),
    ...(omitted ? { omitted } : {}),
    ...(search
      ? {
          search: {
            text: search.text,
            kind: search.kind,
            description: search.description,
            matched: Object.fromEntries(
              timeline.runs.map((r, i) => [r.id, search.values[search.matched[i] ?? -1] ?? '']),
            ),
          },
        }
      : {}),
  };
}

/** What a timeline's answer says besides its timeline, its drifts and its search. */
export interface TimelineFacts {
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

/**
 * `GET /api/incidents?cluster=…&group=…&since=…|from=…&to=…&open=1`: the incidents active at
 * some moment of the range (open ones first, then resolved ones, each newest first), in the
 * cluster and group asked for; with `open=1` only those still open.
 */
export interface IncidentsResponse {
  incidents: Incident[];
  range: { from: string; to: string };
  /** `the local store in .ecslog`, `table ecslog-audit in eu-west-1`. */
  store: string;
  /** Set when the view has no incidents to read (it was started without a reader): why. */
  unavailable?: string;
}
