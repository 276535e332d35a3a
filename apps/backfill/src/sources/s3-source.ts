/**
 * CloudTrail log files in the trail's S3 bucket. Discovers the accounts (and organization ids)
 * and regions under `<prefix>/AWSLogs/` with delimited listings, then lists only the day folders
 * of the window, and reads the files with bounded parallel GetObject and streaming gunzip,
 * yielding them in key order.
 *
 * @example
 * const source = createS3Source({ client: s3Client({ region: 'eu-west-1' }), bucket, prefix,
 *   from, to });
 * await source.check();
 * for await (const chunk of source.chunks(savedResume)) store(chunk.records);
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { BackfillSource, SourceChunk, SourceEstimate } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { LogFileContent, LogFileEntry } from './log-file';
import {
  deliveredInWindow,
  LogFileReadError,
  logFileChunks,
  readInOrder,
  readLogFile,
  windowDayFolders,
} from './log-file';

export interface S3SourceOptions {
  client: S3Client;
  bucket: string;
  /** The trail's S3 key prefix, without `AWSLogs/` ('' when the trail has none). */
  prefix?: string;
  from: Date;
  to: Date;
  /** Only these account ids (default: every account found, including those of organization trails). */
  accounts?: readonly string[];
  /** Only these regions (default: every region found for each account). */
  regions?: readonly string[];
  /** GetObject (and listing) requests in flight (default 8). */
  concurrency?: number;
  /** MaxKeys per ListObjectsV2 page (default 1000, the most S3 returns). */
  pageSize?: number;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_PAGE_SIZE = 1000;
/** Attempts at reading one object whose body stream fails part-way (the SDK retries requests, not bodies). */
const BODY_ATTEMPTS = 3;
const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

interface S3Entry extends LogFileEntry {
  key: string;
}

/**
 * A {@link BackfillSource} over the log files of a trail's bucket: one chunk per object, in key
 * order, named `s3://bucket/key`; the resume state is `{ after: <key> }`. `check()` lists the
 * window's keys up front (so `estimate()` knows the file count) and reads the first byte of one
 * file, which proves read access including `kms:Decrypt` for SSE-KMS trails.
 */
export function createS3Source(options: S3SourceOptions): BackfillSource {
  const { client, bucket, from, to } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const prefix = normalisePrefix(options.prefix ?? '');
  const logsPrefix = `${prefix}AWSLogs/`;
  let listed: S3Entry[] | undefined;

  const listPage = async (pagePrefix: string, delimiter: boolean) => {
    const keys: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: pagePrefix,
          ...(delimiter ? { Delimiter: '/' } : {}),
          MaxKeys: pageSize,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      for (const common of page.CommonPrefixes ?? [])
        if (common.Prefix) prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, prefixes };
  };
  /** The names of the "folders" directly under `folder`. */
  const listFolders = async (folder: string) => [
    ...new Set((await listPage(folder, true)).prefixes.map((p) => p.slice(folder.length, -1))),
  ];

  const discoverAccounts = async (): Promise<{ account: string; folder: string }[]> => {
    const top = await listFolders(logsPrefix);
    const found = top
      .filter((name) => ACCOUNT_ID.test(name))
      .map((account) => ({ account, folder: `${logsPrefix}${account}/` }));
    const organisations = top.filter((name) => ORGANIZATION_ID.test(name));
    let index = 0;
    for await (const accounts of readInOrder(organisations, concurrency, (id) =>
      listFolders(`${logsPrefix}${id}/`),
    )) {
      const organisation = organisations[index++] as string;
      for (const account of accounts)
        if (ACCOUNT_ID.test(account))
          found.push({ account, folder: `${logsPrefix}${organisation}/${account}/` });
    }
    if (found.length === 0)
      throw new BackfillSetupError(
        `no CloudTrail logs under s3://${bucket}/${logsPrefix} (is the prefix right?)`,
      );
    if (options.accounts === undefined) return found;
    const missing = options.accounts.filter((id) => !found.some((f) => f.account === id));
    if (missing.length > 0)
      throw new BackfillSetupError(
        `no CloudTrail logs of account ${missing.join(', ')} under s3://${bucket}/${logsPrefix} (found ${[...new Set(found.map((f) => f.account))].join(', ')})`,
      );
    return found.filter((f) => options.accounts?.includes(f.account));
  };

  const list = async (): Promise<S3Entry[]> => {
    const accounts = await discoverAccounts();
    const trails: string[] = [];
    if (options.regions !== undefined) {
      for (const { folder } of accounts)
        for (const region of options.regions) trails.push(`${folder}CloudTrail/${region}/`);
    } else {
      let index = 0;
      for await (const regions of readInOrder(accounts, concurrency, ({ folder }) =>
        listFolders(`${folder}CloudTrail/`),
      )) {
        const { folder } = accounts[index++] as { folder: string };
        for (const region of regions) trails.push(`${folder}CloudTrail/${region}/`);
      }
    }
    const days = windowDayFolders(from, to);
    const dayFolders = trails.flatMap((trail) => days.map((day) => `${trail}${day}/`));
    const entries: S3Entry[] = [];
    for await (const { keys } of readInOrder(dayFolders, concurrency, (folder) =>
      listPage(folder, false),
    ))
      for (const key of keys)
        if (isLogFileKey(key) && deliveredInWindow(key, from, to))
          entries.push({ id: key, key, name: `s3://${bucket}/${key}` });
    return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };

  const readObject = async (entry: S3Entry, signal: AbortSignal): Promise<LogFileContent> => {
    for (let attempt = 1; ; attempt++) {
      let body: Readable | undefined;
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.key }), {
          abortSignal: signal,
        });
        body = output.Body as Readable | undefined;
      } catch (error) {
        if (nameOf(error) === 'NoSuchKey')
          return {
            records: [],
            problem: 'the object no longer exists (deleted after listing)',
            bytes: 0,
          };
        throw new Error(`GetObject ${entry.name}: ${messageOf(error)}`, { cause: error });
      }
      if (body === undefined) return readLogFile(entry.name, Buffer.alloc(0));
      try {
        return await readLogFile(entry.name, body);
      } catch (error) {
        if (!(error instanceof LogFileReadError) || attempt >= BODY_ATTEMPTS || signal.aborted)
          throw error;
      }
    }
  };

  return {
    description: `s3://${bucket}/${prefix}`.replace(/\/$/, ''),

    async check(): Promise<void> {
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to)
        throw new BackfillSetupError(`the window ${String(from)} … ${String(to)} is not valid`);
      listed = undefined;
      try {
        listed = await list();
      } catch (error) {
        if (error instanceof BackfillSetupError) throw error;
        throw setupError(error, `not allowed to list s3://${bucket}/${logsPrefix} (s3:ListBucket)`);
      }
      const first = listed[0];
      if (first === undefined) return;
      try {
        const output = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: first.key, Range: 'bytes=0-0' }),
        );
        (output.Body as Readable | undefined)?.destroy();
      } catch (error) {
        throw setupError(
          error,
          `not allowed to read ${first.name} (s3:GetObject, and kms:Decrypt when the trail encrypts its logs with KMS)`,
        );
      }
    },

    chunks(resume: unknown): AsyncIterable<SourceChunk> {
      return (async function* () {
        listed ??= await list();
        yield* logFileChunks(listed, resume, concurrency, readObject);
      })();
    },

    estimate(): SourceEstimate {
      return listed === undefined ? {} : { chunks: listed.length };
    },
  };

  function setupError(error: unknown, forbidden: string): BackfillSetupError {
    return new BackfillSetupError(describeSetupFailure(error, bucket, forbidden), { cause: error });
  }
}

export interface S3ClientOptions {
  /** Any region works for reading (the client follows the bucket's region); default from the environment. */
  region?: string;
  /** A profile of the shared AWS config files; default the environment's (AWS_PROFILE, then default). */
  profile?: string;
  /** Path-style URLs, for S3-compatible stores; default false. */
  forcePathStyle?: boolean;
}

/**
 * The S3 client of a real run, built once by the composition root: credentials and region from
 * the usual chain (or a named profile), following the bucket's region on redirects.
 */
export function s3Client(options: S3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {
    followRegionRedirects: true,
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
  };
  return new S3Client(config);
}

function normalisePrefix(prefix: string): string {
  let trimmed = prefix.replace(/^\/+|\/+$/g, '');
  // Accept the prefix with AWSLogs/ included, as it appears in the console.
  if (trimmed === 'AWSLogs') trimmed = '';
  else if (trimmed.endsWith('/AWSLogs')) trimmed = trimmed.slice(0, -'/AWSLogs'.length);
  return trimmed === '' ? '' : `${trimmed}/`;
}

function isLogFileKey(key: string): boolean {
  return (
    (key.endsWith('.json.gz') || key.endsWith('.json')) && !key.includes('_CloudTrail-Digest_')
  );
}

/** One line for a failed setup request. */
function describeSetupFailure(error: unknown, bucket: string, forbidden: string): string {
  const name = nameOf(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = messageOf(error).split('\n')[0] ?? '';
  if (name === 'NoSuchBucket' || (name === 'NotFound' && status === 404))
    return `bucket ${bucket} does not exist`;
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) return forbidden;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message))
    return `no AWS credentials found (set AWS_PROFILE or the AWS_* variables, or log in with "aws sso login"): ${message}`;
  if (
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'ExpiredToken' ||
    name === 'TokenRefreshRequired'
  )
    return `the AWS credentials were rejected (${name}): ${message}`;
  if (/region is missing/i.test(message))
    return 'no AWS region configured (set AWS_REGION or pass a region)';
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)$/.test(code)
  )
    return `cannot reach S3 (${code}): ${message}`;
  return `cannot read s3://${bucket}: ${name}: ${message}`;
}

function nameOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : typeof error;
}

/** Duck-typed: errors of Node's own modules are not `instanceof Error` of a jest sandbox. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
