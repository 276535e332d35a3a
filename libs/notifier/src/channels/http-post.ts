/**
 * One HTTP POST of a channel: HTTPS only (plain http to loopback only, for local testing), a
 * timeout, no redirects followed, and errors that never show the URL's path or query (a Slack
 * incoming webhook's path is its secret; other webhooks carry tokens there too).
 */
import { ChannelConfigError, ChannelError, isRetryableStatus } from './channel-error';

/** How long one delivery may take, connection to answer, unless a channel says otherwise. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** Sent on every request, so receivers can tell ecslog's deliveries in their logs. */
export const USER_AGENT = 'ecslog';

/** A channel's URL, checked, and how errors may show it. */
export interface ChannelUrl {
  url: URL;
  /** `https://hooks.example.com/…`: scheme, host and port only. */
  redacted: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks a channel's URL: `https:` anywhere, `http:` only to loopback (127.0.0.0/8, ::1,
 * localhost). Throws {@link ChannelConfigError} naming the scheme and host, never the path.
 */
export function checkChannelUrl(text: string, channel: string): ChannelUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text itself may be the secret: not in the message.
    throw new ChannelConfigError(`${channel}: the URL is not a valid absolute URL`);
  }
  const redacted = `${url.protocol}//${url.host}/…`;
  if (url.protocol === 'https:') return { url, redacted };
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return { url, redacted };
  if (url.protocol === 'http:')
    throw new ChannelConfigError(
      `${channel}: ${redacted} is plain http to a host that is not loopback; use https (http is allowed to 127.0.0.1, ::1 and localhost only, for local testing)`,
    );
  throw new ChannelConfigError(`${channel}: ${url.protocol} URLs are not supported; use https`);
}

export interface PostOptions {
  channel: string;
  target: ChannelUrl;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** The longest part of an error answer's body quoted in an error message. */
const QUOTED_BODY_CHARS = 200;

/**
 * POSTs `body`; resolves on a 2xx answer, throws {@link ChannelError} otherwise. A redirect is
 * an error (not retryable): a channel's URL is configured, and a delivery never goes to a host
 * the configuration does not name.
 */
export async function postToChannel(options: PostOptions): Promise<void> {
  const { channel, target, timeoutMs } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, ...options.headers },
      body: options.body,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw networkError(channel, target, timeoutMs, error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw networkError(channel, target, timeoutMs, error);
  }
  const { status } = response;
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400)
    throw new ChannelError(
      `${channel}: POST ${target.redacted} answered ${status}, a redirect: not followed (configure the URL it points to)`,
      { channel, status, retryable: false },
    );
  const quoted = quoteBody(text, target.url);
  throw new ChannelError(
    `${channel}: POST ${target.redacted} answered ${status}${quoted === '' ? '' : `: ${quoted}`}`,
    { channel, status, retryable: isRetryableStatus(status) },
  );
}

function networkError(
  channel: string,
  target: ChannelUrl,
  timeoutMs: number,
  error: unknown,
): ChannelError {
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new ChannelError(`${channel}: POST ${target.redacted} timed out after ${timeoutMs} ms`, {
      channel,
      retryable: true,
      cause: error,
    });
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const reason =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : String((error as Error | undefined)?.message ?? error);
  return new ChannelError(`${channel}: POST ${target.redacted} failed: ${reason}`, {
    channel,
    retryable: true,
    cause: error,
  });
}

/** One line of an error answer, without anything of the URL past its host. */
function quoteBody(text: string, url: URL): string {
  let line = text.replace(/\s+/g, ' ').trim();
  for (const secret of [url.pathname, url.search, url.href])
    if (secret.length > 1) line = line.split(secret).join('…');
  return line.length > QUOTED_BODY_CHARS ? `${line.slice(0, QUOTED_BODY_CHARS)}…` : line;
}
