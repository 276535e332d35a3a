import type { RequestCredentials, WebSession } from './web-session';
import { accessOf, createSessionToken, sameToken, sessionCookieName } from './web-session';

describe('web view session', () => {
  const session: WebSession = { token: createSessionToken(), cookieName: sessionCookieName(4680) };
  const cookie = `ecslog-session-4680=${session.token}`;
  const request = (overrides: Partial<RequestCredentials>): RequestCredentials => ({
    pathname: '/api/timeline',
    search: new URLSearchParams(),
    fromPage: true,
    ...overrides,
  });

  it('makes a new 256-bit token each time', () => {
    const tokens = new Set(Array.from({ length: 20 }, createSessionToken));

    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('compares tokens whole: a prefix, a longer string or another token is not the token', () => {
    expect(sameToken(session.token, session.token)).toBe(true);
    expect(sameToken(session.token.slice(0, -1), session.token)).toBe(false);
    expect(sameToken(`${session.token}x`, session.token)).toBe(false);
    expect(sameToken('', session.token)).toBe(false);
    expect(sameToken(createSessionToken(), session.token)).toBe(false);
  });

  it('trades a valid token on the page for the cookie, keeping the rest of the query', () => {
    const search = new URLSearchParams({ token: session.token, group: 'service:web' });

    expect(accessOf(request({ pathname: '/', search, fromPage: false }), session)).toEqual({
      kind: 'enter',
      location: '/?group=service%3Aweb',
      cookie: `ecslog-session-4680=${session.token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    expect(
      accessOf(
        request({ pathname: '/', search: new URLSearchParams({ token: session.token }) }),
        session,
      ),
    ).toMatchObject({ kind: 'enter', location: '/' });
  });

  it('lets a valid token through anywhere, even from another site: only ecslog printed it', () => {
    const search = new URLSearchParams({ token: session.token, since: '7d' });

    expect(
      accessOf(request({ search, fromPage: false, fetchSite: 'cross-site' }), session),
    ).toEqual({ kind: 'allow' });
  });

  it('lets the cookie through from this origin, and for the API only with the page header', () => {
    expect(accessOf(request({ cookieHeader: cookie, fetchSite: 'same-origin' }), session)).toEqual({
      kind: 'allow',
    });
    expect(
      accessOf(
        request({ pathname: '/', cookieHeader: `a=b; ${cookie}`, fetchSite: 'none' }),
        session,
      ),
    ).toEqual({ kind: 'allow' });
    expect(accessOf(request({ cookieHeader: cookie, fromPage: false }), session)).toMatchObject({
      kind: 'refuse',
      message: "refused: the API answers the web view's page, or a request with ?token=",
    });
  });

  it('refuses the cookie sent from another port of 127.0.0.1 or another site', () => {
    for (const fetchSite of ['same-site', 'cross-site'])
      expect(accessOf(request({ cookieHeader: cookie, fetchSite }), session)).toEqual({
        kind: 'refuse',
        message: `refused: a request from another page (Sec-Fetch-Site: ${fetchSite})`,
      });
  });

  it("refuses a wrong token, another port's cookie, and no credentials, saying to open the printed link", () => {
    const wrong = accessOf(
      request({
        search: new URLSearchParams({ token: createSessionToken() }),
        cookieHeader: cookie,
      }),
      session,
    );
    const otherPort = accessOf(
      request({ cookieHeader: `ecslog-session-4681=${session.token}` }),
      session,
    );
    const none = accessOf(request({ pathname: '/' }), session);

    expect(wrong).toMatchObject({
      kind: 'refuse',
      message: expect.stringMatching(/^this link's token is not this session's/),
    });
    expect(otherPort).toMatchObject({
      kind: 'refuse',
      message: expect.stringMatching(/^no session/),
    });
    expect(none).toEqual({
      kind: 'refuse',
      message:
        'no session: open the link `ecslog ui` or `ecslog local` printed when it started: it carries this session’s token',
    });
  });
});
