/**
 * The door in front of dynalite. dynalite answers any caller: it sends
 * `Access-Control-Allow-Origin: *`, echoes any CORS preflight, ignores the Host header and takes
 * any `AWS4-…` Authorization as valid — so any web page the user opens could read or delete the
 * audit log over loopback. The guard takes dynalite's request listener and lets a request through
 * only when it comes from no web page (no `Origin`, no preflight), is addressed to
 * `127.0.0.1:<port>` (so a DNS-rebound name is not), and is signed (SigV4, checked for real) with
 * the store's own credentials. No CORS header ever leaves. Refusals are short and never repeat
 * what the request held.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SignatureCheck } from './request-signature';
import { checkSignature } from './request-signature';
import type { WriteGeneration } from './store-generation';
import { GENERATION_TARGET, isReadOnlyRequest } from './store-generation';
import type { StoreCredentials } from './store-credentials';

/** The region and service the store's clients sign for. */
export const STORE_SIGNING = { region: 'us-east-1', service: 'dynamodb' } as const;

/** As dynalite: DynamoDB's request size cap. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface StoreGuardOptions {
  credentials: StoreCredentials;
  /**
   * Bumped once each time dynalite has answered a request that may have written (see
   * `store-generation.ts`), and told to a signed request for {@link GENERATION_TARGET}.
   */
  generation?: WriteGeneration;
  /** Injected in tests. */
  now?: () => Date;
}

/** A refusal: status, AWS-style error type, short message. */
interface Refusal {
  status: number;
  code: string;
  message: string;
}

/**
 * Puts the guard in front of every request listener `server` has (dynalite's), in place. Call
 * before `listen`: the port of the Host check is read from the server's address on each request.
 */
export function guardStoreServer(server: Server, options: StoreGuardOptions): void {
  const inner = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const now = options.now ?? (() => new Date());
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    withoutCorsHeaders(res);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const early = refusalBeforeBody(req, port);
    if (early) return refuseRequest(req, res, early);
    readBody(req, (body) => {
      if (body === undefined)
        return refuseRequest(req, res, {
          status: 413,
          code: 'RequestEntityTooLarge',
          message: 'request body over 16 MB',
        });
      void checkSignature(
        { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body },
        { credentials: options.credentials, ...STORE_SIGNING, now: now() },
      ).then(
        (check: SignatureCheck) => {
          if (!check.valid)
            return refuseRequest(req, res, {
              status: 403,
              code: check.code,
              message: check.reason,
            });
          const target = req.headers['x-amz-target'];
          const { generation } = options;
          if (generation && target === GENERATION_TARGET)
            return answerJson(res, { generation: generation.current() });
          if (generation && !isReadOnlyRequest(target)) bumpWhenAnswered(res, generation);
          const replay = replayRequest(req, body);
          for (const listener of inner) listener(replay, res);
        },
        () =>
          refuseRequest(req, res, {
            status: 403,
            code: 'InvalidSignatureException',
            message: 'signature could not be checked',
          }),
      );
    });
  });
}

/** What can be refused from the request line and headers alone. */
export function refusalBeforeBody(
  req: Pick<IncomingMessage, 'method' | 'headers'>,
  port: number,
): Refusal | undefined {
  if (req.method === 'OPTIONS')
    return { status: 403, code: 'AccessDeniedException', message: 'CORS preflight refused' };
  if (req.headers.origin !== undefined)
    return {
      status: 403,
      code: 'AccessDeniedException',
      message: 'requests from web pages are refused',
    };
  if (req.headers.host !== `127.0.0.1:${port}`)
    return { status: 421, code: 'AccessDeniedException', message: 'wrong Host header' };
  return undefined;
}

function refuseRequest(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({
    __type: `com.amazon.coral.service#${refusal.code}`,
    message: `ecslog local store: ${refusal.message}`,
  });
  res.writeHead(refusal.status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
  // The rest of a refused body is not wanted: drop it rather than buffer it.
  req.resume();
}

function answerJson(res: ServerResponse, value: object): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Bumps the generation as dynalite ends its answer, before the answer's last bytes leave: a
 * writer that has its answer, and anyone it tells, then finds the new generation. A connection
 * that closes first (the client gave up) bumps it at once, and dynalite's late answer again: the
 * write may land after the close.
 */
function bumpWhenAnswered(res: ServerResponse, generation: WriteGeneration): void {
  let ended = false;
  const end = res.end.bind(res);
  res.end = ((...args: Parameters<typeof res.end>) => {
    ended = true;
    generation.bump();
    return end(...args);
  }) as typeof res.end;
  res.once('close', () => {
    if (!ended) generation.bump();
  });
}

/** Drops every `Access-Control-*` header dynalite (or anything) would set on this response. */
function withoutCorsHeaders(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    /^access-control-/i.test(name) ? res : setHeader(name, value)) as typeof res.setHeader;
}

/** Reads the whole body, or gives undefined (and stops reading) past the size cap. */
function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      over = true;
      chunks.length = 0;
      done(undefined);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!over) done(Buffer.concat(chunks));
  });
  req.on('error', () => {
    over = true;
  });
}

/** The checked request again, body included, for dynalite's listener to read as it would. */
function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length === 0 ? [] : [body]) as Readable &
    Partial<IncomingMessage>;
  Object.assign(replay, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    socket: req.socket,
    httpVersion: req.httpVersion,
  });
  return replay as IncomingMessage;
}
