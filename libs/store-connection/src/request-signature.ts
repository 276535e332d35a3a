/**
 * Checks a request's AWS Signature Version 4 the way AWS does: the signature is computed again
 * with the store's secret over the request as received — method, path, query, the headers the
 * request says it signed, and the hash of the body actually received — and compared in constant
 * time. The access key id, the credential scope (date, region, service) and `x-amz-date` (within
 * five minutes of now) are checked first. Only the `Authorization` header form is accepted.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StoreCredentials } from './store-credentials';

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query as on the request line. */
  url: string;
  /** Node's lower-cased headers. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface SignatureExpectation {
  credentials: StoreCredentials;
  region: string;
  service: string;
  now: Date;
}

/** Why a request was refused, said briefly and without repeating what the request held. */
export type SignatureCheck = { valid: true } | { valid: false; code: string; reason: string };

/** How far `x-amz-date` may be from the server's clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/;

const refuse = (code: string, reason: string): SignatureCheck => ({ valid: false, code, reason });

export async function checkSignature(
  request: ReceivedRequest,
  expected: SignatureExpectation,
): Promise<SignatureCheck> {
  const authorization = single(request.headers['authorization']);
  if (authorization === undefined || request.url.includes('X-Amz-'))
    return refuse('MissingAuthenticationTokenException', 'request is not signed');
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return refuse('IncompleteSignatureException', 'malformed Authorization header');
  const [, keyId, scopeDate, region, service, signedList, signature] = parts as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!sameText(keyId, expected.credentials.accessKeyId))
    return refuse('UnrecognizedClientException', "not this store's access key");
  const amzDate = single(request.headers['x-amz-date']);
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signedAt === undefined)
    return refuse('IncompleteSignatureException', 'x-amz-date is missing or malformed');
  if (Math.abs(signedAt.getTime() - expected.now.getTime()) > MAX_CLOCK_SKEW_MS)
    return refuse('InvalidSignatureException', 'signature expired (x-amz-date over 5 minutes off)');
  if (
    scopeDate !== amzDate?.slice(0, 8) ||
    region !== expected.region ||
    service !== expected.service
  )
    return refuse('InvalidSignatureException', 'wrong credential scope');
  const signedHeaders = signedList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return refuse('IncompleteSignatureException', 'host and x-amz-date must be signed');
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const declaredHash = single(request.headers['x-amz-content-sha256']);
  if (declaredHash !== undefined && declaredHash !== bodyHash)
    return refuse('InvalidSignatureException', 'body does not match x-amz-content-sha256');

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined)
      return refuse('IncompleteSignatureException', 'a signed header is missing');
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const { path, query } = splitUrl(request.url);
  if (path === undefined) return refuse('InvalidSignatureException', 'malformed path');
  const signer = signerFor(expected);
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '',
      path,
      query,
      headers,
      body: request.body,
    },
    {
      signingDate: signedAt,
      signableHeaders: new Set(signedHeaders),
      signingRegion: expected.region,
      signingService: expected.service,
    },
  );
  const recomputed = AUTHORIZATION.exec(String(resigned.headers['authorization']));
  const ok =
    recomputed !== null &&
    recomputed[5] === signedList &&
    timingSafeEqual(Buffer.from(recomputed[6] as string, 'hex'), Buffer.from(signature, 'hex'));
  return ok ? { valid: true } : refuse('InvalidSignatureException', 'signature does not match');
}

/** One signer per credentials: a signer keeps the day's signing key, derived with four HMACs. */
const signers = new WeakMap<StoreCredentials, SignatureV4>();

function signerFor(expected: SignatureExpectation): SignatureV4 {
  let signer = signers.get(expected.credentials);
  if (!signer) {
    signer = new SignatureV4({
      credentials: expected.credentials,
      region: expected.region,
      service: expected.service,
      sha256: NodeSha256,
    });
    signers.set(expected.credentials, signer);
  }
  return signer;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/** Equal strings, compared in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.toISOString().slice(0, 19).replace(/[-:]/g, '') === text.slice(0, 15)
    ? date
    : undefined;
}

function splitUrl(url: string): {
  path: string | undefined;
  query: Record<string, string | string[]>;
} {
  const at = url.indexOf('?');
  const rawPath = at < 0 ? url : url.slice(0, at);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(at < 0 ? '' : url.slice(at + 1))) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  try {
    // The signer escapes the path itself: it signs the path as decoded.
    return { path: decodeURIComponent(rawPath), query };
  } catch {
    return { path: undefined, query };
  }
}

/** The hash the signer asks for (`Checksum`-shaped), on Node's crypto. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : toBuffer(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

function toBuffer(value: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : Buffer.from(value);
}
