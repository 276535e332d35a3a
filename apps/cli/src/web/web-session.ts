/**
 * Who the web view answers: the holder of this session's token. Pure but for the token's
 * generation. The token is in the URL ecslog prints (as notebook servers do); the first page load
 * with it trades it for an HttpOnly, SameSite=Strict cookie and drops it from the address bar.
 *
 * Loopback ports are one "site" to a browser, so SameSite alone does not keep a page on another
 * port of 127.0.0.1 from sending the cookie: a request that carries only the cookie must also say
 * it comes from this origin (`Sec-Fetch-Site`), and an API request must carry a header that a
 * page elsewhere cannot add without a CORS preflight, which this server never grants.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The query parameter that carries the token. */
export const TOKEN_PARAMETER = 'token';

/** The header the page adds to its API requests; another origin cannot send it without CORS. */
export const PAGE_REQUEST_HEADER = 'x-ecslog-page';

export interface WebSession {
  token: string;
  /** Per port: cookies of 127.0.0.1 are shared by every port, one web view must not read another's. */
  cookieName: string;
}

/** A new session: 256 random bits, base64url. */
export function createSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionCookieName(port: number): string {
  return `ecslog-session-${port}`;
}

/** What a request's credentials allow. */
export type Access =
  | { kind: 'allow' }
  /** A valid token on the page: set the cookie and send the browser to `location`. */
  | { kind: 'enter'; location: string; cookie: string }
  | { kind: 'refuse'; message: string };

export interface RequestCredentials {
  pathname: string;
  /** The query, token included. */
  search: URLSearchParams;
  cookieHeader?: string;
  /** `Sec-Fetch-Site`: absent from clients that are not browsers. */
  fetchSite?: string;
  /** True when the request carries {@link PAGE_REQUEST_HEADER}. */
  fromPage: boolean;
}

const OPEN_THE_LINK =
  'open the link `ecslog ui` or `ecslog local` printed when it started: it carries this session’s token';

/**
 * Decides a request: a valid token (query) is enough anywhere — only ecslog's output knows it; a
 * valid cookie is enough for requests from this origin (and, for `/api/`, from the page itself).
 */
export function accessOf(request: RequestCredentials, session: WebSession): Access {
  const given = request.search.get(TOKEN_PARAMETER);
  if (given !== null) {
    if (!sameToken(given, session.token))
      return {
        kind: 'refuse',
        message: `this link's token is not this session's (each start makes a new one): ${OPEN_THE_LINK}`,
      };
    if (request.pathname !== '/') return { kind: 'allow' };
    const rest = new URLSearchParams(request.search);
    rest.delete(TOKEN_PARAMETER);
    const query = rest.toString();
    return {
      kind: 'enter',
      location: `/${query === '' ? '' : `?${query}`}`,
      cookie: `${session.cookieName}=${session.token}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }
  const cookies = cookieValues(request.cookieHeader, session.cookieName);
  if (!cookies.some((value) => sameToken(value, session.token)))
    return { kind: 'refuse', message: `no session: ${OPEN_THE_LINK}` };
  if (
    request.fetchSite !== undefined &&
    request.fetchSite !== 'same-origin' &&
    request.fetchSite !== 'none'
  )
    return {
      kind: 'refuse',
      message: `refused: a request from another page (Sec-Fetch-Site: ${request.fetchSite})`,
    };
  if (request.pathname.startsWith('/api/') && !request.fromPage)
    return {
      kind: 'refuse',
      message: `refused: the API answers the web view's page, or a request with ?${TOKEN_PARAMETER}=`,
    };
  return { kind: 'allow' };
}

/** Constant-time: compares digests, so neither the length nor a prefix of the token leaks. */
export function sameToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** Every value of cookie `name` in a Cookie header (a page on another port may add its own). */
function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}
