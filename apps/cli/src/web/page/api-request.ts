/**
 * How the page asks its server: the session cookie goes with the request (same origin), and the
 * header that tells the server the request comes from its own page — another origin cannot send
 * it. The first timeline request is sent by `first-request.ts` before the page's script has even
 * loaded; the page takes it over when it asks the same question.
 */
import type { ViewState } from './view-state';
import { timelinePathOf } from './view-state';

/** The page's API requests. */
export function apiGet(path: string): Promise<Response> {
  return fetch(path, { credentials: 'same-origin', headers: { 'X-Ecslog-Page': '1' } });
}

/** The request `first-request.js` sent, kept on `window` until the page takes it. */
interface FirstRequest {
  path: string;
  response: Promise<Response>;
}

const FIRST_REQUEST = 'ecslogFirstRequest';

/** Sends the timeline request of the page's URL, for the page to take over. */
export function sendFirstRequest(view: ViewState): void {
  const path = timelinePathOf(view);
  const first: FirstRequest = { path, response: apiGet(path) };
  // A rejected request the page never takes over must not become an unhandled rejection.
  first.response.catch(() => undefined);
  Object.assign(window, { [FIRST_REQUEST]: first });
}

/**
 * The timeline of `view`: the request sent early when it asked the same question (taken once),
 * else a new one.
 */
export function requestTimeline(view: ViewState): Promise<Response> {
  const path = timelinePathOf(view);
  const holder = window as unknown as Record<string, FirstRequest | undefined>;
  const first = holder[FIRST_REQUEST];
  holder[FIRST_REQUEST] = undefined;
  return first?.path === path ? first.response : apiGet(path);
}
