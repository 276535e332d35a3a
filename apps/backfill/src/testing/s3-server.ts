/**
 * A real S3 API for tests: s3rver on loopback, storing in a temporary folder, and an SDK client
 * configured for it.
 *
 * s3rver runs in a child process started with `--openssl-legacy-provider`: it encrypts the
 * ListObjectsV2 continuation token with single DES (`createCipheriv('des', …)` in
 * lib/controllers/bucket.js), which OpenSSL 3 (Node ≥ 17) keeps in its legacy provider, so in a
 * plain Node 20 process every truncated listing (the first page of any paginated listing: the
 * token is made for the next) fails with ERR_OSSL_EVP_UNSUPPORTED, answered as a 500. The flag
 * only works at process start, hence the child. The child also mends s3rver's delimited listing
 * (see {@link DELIMITED_LISTING_FIX}).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** A client for it ({@link s3rverClient}). */
  client: S3Client;
  /** The temporary folder s3rver stores in. */
  directory: string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  /** Buckets created at start. */
  buckets?: readonly string[];
}

/**
 * s3rver 3.7.1's delimited listing finds a common prefix only when an object lies directly in it:
 * its folder walk skips every folder below a common prefix, so `Prefix: 'AWSLogs/', Delimiter:
 * '/'` over `AWSLogs/<account>/CloudTrail/…` keys returns nothing, where S3 returns
 * `AWSLogs/<account>/`. This replacement lists the keys under the prefix without the delimiter
 * and rolls them up as S3 does, keeping s3rver's paging (MaxKeys counts the objects; the
 * continuation token is the last object's key).
 */
const DELIMITED_LISTING_FIX = `
  const listObjects = FilesystemStore.prototype.listObjects;
  async function listObjectsWithPrefixes(bucket, options) {
    if (!options.delimiter) return listObjects.call(this, bucket, options);
    const { delimiter, prefix = '', maxKeys = Infinity } = options;
    const all = await listObjects.call(this, bucket, { ...options, delimiter: '', maxKeys: Infinity });
    const sorted = all.objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const objects = [];
    const commonPrefixes = new Set();
    let isTruncated = false;
    for (const object of sorted) {
      const index = object.key.indexOf(delimiter, prefix.length);
      if (index !== -1) {
        commonPrefixes.add(object.key.slice(0, index + delimiter.length));
      } else if (objects.length < maxKeys) {
        objects.push(object);
      } else {
        isTruncated = true;
        break;
      }
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  }
`;

/** s3rver's access key (any secret; it does not check SigV4 signatures). */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * s3rver on 127.0.0.1 and a free port, in a fresh temporary folder.
 *
 * @example
 * const s3 = await startS3rver({ buckets: ['trail-logs'] });
 * try { … s3.client … } finally { await s3.stop(); }
 */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const entry = createRequire(__filename).resolve('s3rver');
  const store = join(dirname(entry), 'stores', 'filesystem.js');
  const program = `
    const S3rver = require(${JSON.stringify(entry)});
    const FilesystemStore = require(${JSON.stringify(store)});
    ${DELIMITED_LISTING_FIX}
    FilesystemStore.prototype.listObjects = listObjectsWithPrefixes;
    const server = new S3rver({
      address: '127.0.0.1', port: 0, silent: true,
      directory: ${JSON.stringify(directory)},
      configureBuckets: ${JSON.stringify((options.buckets ?? []).map((name) => ({ name, configs: [] })))},
    });
    server.run().then(
      (address) => process.send({ port: address.port }),
      (error) => { process.send({ error: String(error && error.stack || error) }); process.exit(1); },
    );
    // The parent stopping (or dying) ends the server.
    process.on('disconnect', () => server.close().finally(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', program], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let port: number;
  try {
    port = await started(child);
  } catch (error) {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3rverClient(endpoint);
  return {
    endpoint,
    client,
    directory,
    stop: async () => {
      client.destroy();
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * An S3 client for s3rver: path-style URLs (no bucket subdomains on 127.0.0.1), checksums only
 * when an operation requires them (else the SDK sends streamed bodies with aws-chunked framing,
 * which s3rver stores as is), and no retries so that failures show at once.
 */
export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

function started(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onMessage = (message: { port?: number; error?: string }) =>
      message.port !== undefined
        ? done(undefined, message.port)
        : done(new Error(`s3rver did not start: ${message.error}`));
    const onExit = (code: number | null) => done(new Error(`s3rver exited with ${code} at start`));
    const onError = (error: Error) => done(error);
    function done(error: Error | undefined, port?: number) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve(port as number);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Disconnects (the child closes the server and exits); kills it if it has not exited in time. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
