/**
 * The page's state is its URL: the filters, and the run whose details are open. Pure, so the
 * same link always shows the same view.
 */

export interface ViewState {
  cluster?: string;
  /** `service:NAME` or `family:NAME`. */
  group?: string;
  status?: string;
  /** A duration back from now (`24h`); or `from`/`to`. */
  since?: string;
  from?: string;
  to?: string;
  /**
   * A search: a task id or ARN, an address, an image (digest or repository[:tag]) or an instance;
   * the page then shows the runs it finds (in the range and filters) instead of the timeline's.
   */
  q?: string;
  /** The run whose details are shown: a task ARN, or a never-started run's record id. */
  run?: string;
}

/** The parameters in the order links show them; `run` last, and never sent for the timeline. */
const FILTERS = ['cluster', 'group', 'status', 'since', 'from', 'to'] as const;
/** What a link holds: the search, the filters, the open run. */
const LINKED = ['q', ...FILTERS, 'run'] as const;

/** The ranges the range menu offers; any other `since` still works from a URL. */
export const RANGE_CHOICES = ['1h', '6h', '12h', '24h', '3d', '7d'] as const;

/** Reads a page URL's query string; empty values count as absent, unknown names are kept out. */
export function viewStateOf(search: string): ViewState {
  const params = new URLSearchParams(search);
  const state: ViewState = {};
  for (const name of LINKED) {
    const value = params.get(name)?.trim();
    if (value) state[name] = value;
  }
  return state;
}

/** The query string of a state (`?group=service%3Aweb&since=6h`), `''` when it has none. */
export function searchOf(state: ViewState): string {
  const text = paramsOf(state, LINKED).toString();
  return text === '' ? '' : `?${text}`;
}

/** The query string `/api/timeline` gets: the filters, without the open run. */
export function timelineQueryOf(state: ViewState): string {
  const text = paramsOf(state, FILTERS).toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The API request of a view: `/api/search?q=…&filters` while it searches, else
 * `/api/timeline?filters` (never the open run).
 */
export function timelinePathOf(state: ViewState): string {
  if (state.q === undefined) return `/api/timeline${timelineQueryOf(state)}`;
  return `/api/search?${paramsOf(state, ['q', ...FILTERS]).toString()}`;
}

/** The incidents request of a view: its cluster, group and range (not its status or search). */
export function incidentsPathOf(state: ViewState): string {
  const text = paramsOf(state, ['cluster', 'group', 'since', 'from', 'to']).toString();
  return text === '' ? '/api/incidents' : `/api/incidents?${text}`;
}

/**
 * A state with some filters changed. Choosing `since` drops `from`/`to` and the other way round;
 * changing what is shown closes the open run unless it is given.
 */
export function withFilters(state: ViewState, change: ViewState): ViewState {
  const next: ViewState = { ...state, run: undefined, ...change };
  if ('since' in change && change.since) {
    next.from = undefined;
    next.to = undefined;
  }
  if (('from' in change && change.from) || ('to' in change && change.to)) next.since = undefined;
  if ('cluster' in change && !('group' in change)) next.group = undefined;
  return viewStateOf(searchOf(next));
}

function paramsOf(state: ViewState, names: readonly (keyof ViewState)[]): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of names) {
    const value = state[name];
    if (value) params.set(name, value);
  }
  return params;
}
