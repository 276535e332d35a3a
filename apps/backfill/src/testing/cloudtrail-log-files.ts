/**
 * Realistic CloudTrail log files for tests and benchmarks: gzip `{"Records":[…]}` files in the
 * trail's key layout, for several accounts (own trails and an organization trail), regions and
 * days, with digest files beside them. Records are the ECS fixtures and generated RunTask records
 * of `@ecslog/ecs-event-mapper/testing` mixed with other services' records, as real trails hold
 * them: re-addressed to each account and region, with fresh distinct eventIDs, times a few minutes
 * before the file's delivery, and in no particular order. Deterministic for a seed.
 */
import { seededRandom } from '@ecslog/simulator';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { RunTaskFacts } from '@ecslog/ecs-event-mapper/testing';
import { loadFixture, runTaskRecordOf } from '@ecslog/ecs-event-mapper/testing';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface CloudTrailLogFilesOptions {
  seed: number;
  /** The trail's S3 key prefix (default none): keys start `<prefix>/AWSLogs/`. */
  prefix?: string;
  /** Accounts with their own trail: `AWSLogs/<account>/…` (default one account). */
  accounts?: readonly string[];
  /** An organization trail: `AWSLogs/<id>/<account>/…` for each of its accounts. */
  organization?: { id: string; accounts: readonly string[] };
  /** Default eu-west-1 and us-east-1. */
  regions?: readonly string[];
  /** UTC days, `YYYY-MM-DD`. */
  days: readonly string[];
  /** Log files per account, region and day (default 3). */
  filesPerDay?: number;
  /** Records in each file (default 20). */
  recordsPerFile?: number;
  /** Share of ECS records, 0–1 (default 0.3; the rest are other services'). */
  ecsShare?: number;
  /** Digest files under `CloudTrail-Digest/`, one per account, region and day (default true). */
  digests?: boolean;
}

export interface CloudTrailLogFile {
  /** The object key (a path relative to the folder when written to one), `/`-separated. */
  key: string;
  account: string;
  region: string;
  /** The organization id of an organization trail's file. */
  organization?: string;
  /** The delivery time in its name (minute precision). */
  deliveredAt: Date;
  /** The eventID of each record, in file order. */
  eventIds: string[];
  /** The gzip-compressed `{"Records":[…]}`. */
  body: Buffer;
}

export interface CloudTrailLogSet {
  /** Sorted by key. */
  files: CloudTrailLogFile[];
  /** Digest files (no `Records`), sorted by key. */
  digests: { key: string; body: Buffer }[];
}

const DEFAULT_ACCOUNT = '111122223333';
const DEFAULT_REGIONS = ['eu-west-1', 'us-east-1'];
const TRAIL_NAME = 'management-events';
/** The account and region of a fixture without `recipientAccountId` / `awsRegion`; replaced by each file's own. */
const FIXTURE_ACCOUNT = '111122223333';
const FIXTURE_REGION = 'eu-west-1';
const ECS_FIXTURES = [
  'create-service.json',
  'describe-tasks.json',
  'runtask-agent-failure.json',
  'runtask-api-error.json',
  'runtask-partial-placement.json',
  'runtask-placement-failure-only.json',
  'runtask-success.json',
  'starttask-success.json',
  'stoptask.json',
  'update-service.json',
];

/**
 * The files of the options' trails.
 *
 * @example
 * const set = buildCloudTrailLogFiles({ seed: 7, days: ['2026-11-20', '2026-11-21'] });
 * await writeCloudTrailLogFiles(folder, set);
 */
export function buildCloudTrailLogFiles(options: CloudTrailLogFilesOptions): CloudTrailLogSet {
  const random = seededRandom(options.seed).next;
  const prefix = options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  const regions = options.regions ?? DEFAULT_REGIONS;
  const filesPerDay = options.filesPerDay ?? 3;
  const recordsPerFile = options.recordsPerFile ?? 20;
  const ecsShare = options.ecsShare ?? 0.3;
  const trails = [
    ...(options.accounts ?? (options.organization ? [] : [DEFAULT_ACCOUNT])).map((account) => ({
      account,
      folder: `${prefix}AWSLogs/${account}/`,
      organization: undefined as string | undefined,
    })),
    ...(options.organization?.accounts ?? []).map((account) => ({
      account,
      folder: `${prefix}AWSLogs/${options.organization?.id}/${account}/`,
      organization: options.organization?.id,
    })),
  ];
  const ecsTemplates = ECS_FIXTURES.map((name) => loadFixture(`cloudtrail/${name}`));
  const files: CloudTrailLogFile[] = [];
  const digests: { key: string; body: Buffer }[] = [];

  for (const trail of trails)
    for (const region of regions) {
      const ecs = ecsTemplates.map((t) => compileTemplate(t, trail.account, region));
      const other = OTHER_SERVICE_RECORDS.map((t) => compileTemplate(t, trail.account, region));
      for (const day of options.days) {
        const dayStart = Date.parse(`${day}T00:00:00Z`);
        const folder = `${trail.folder}CloudTrail/${region}/${day.replaceAll('-', '/')}/`;
        const dayFiles: CloudTrailLogFile[] = [];
        for (let index = 0; index < filesPerDay; index++) {
          const minute = Math.floor(((index + random()) * 1440) / filesPerDay);
          const deliveredAt = new Date(dayStart + minute * 60_000);
          const eventIds: string[] = [];
          const records: string[] = [];
          for (let r = 0; r < recordsPerFile; r++) {
            const eventId = uuid(random);
            const atMs = deliveredAt.getTime() - 30_000 - Math.floor(random() * 14.5 * 60_000);
            eventIds.push(eventId);
            records.push(
              random() < ecsShare
                ? random() < 0.3
                  ? JSON.stringify(
                      runTaskRecordOf(runTaskFacts(random, trail.account, region, eventId, atMs)),
                    )
                  : fill(pick(random, ecs), eventId, atMs, random)
                : fill(pick(random, other), eventId, atMs, random),
            );
          }
          const stamp = deliveredAt.toISOString().replace(/[-:]/g, '').slice(0, 13);
          const key = `${folder}${trail.account}_CloudTrail_${region}_${stamp}Z_${uniqueSuffix(random)}.json.gz`;
          dayFiles.push({
            key,
            account: trail.account,
            region,
            ...(trail.organization ? { organization: trail.organization } : {}),
            deliveredAt,
            eventIds,
            body: gzipSync(`{"Records":[${records.join(',')}]}`),
          });
        }
        files.push(...dayFiles);
        if (options.digests ?? true)
          digests.push(digestFile(trail.folder, trail.account, region, day, dayFiles));
      }
    }
  const byKey = <T extends { key: string }>(a: T, b: T) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return { files: files.sort(byKey), digests: digests.sort(byKey) };
}

/**
 * Writes the set under `folder` in the key layout, or with `flat`, every file (digests too) by
 * its name directly in `folder`.
 */
export async function writeCloudTrailLogFiles(
  folder: string,
  set: CloudTrailLogSet,
  options: { flat?: boolean } = {},
): Promise<void> {
  for (const { key, body } of [...set.files, ...set.digests]) {
    const path = options.flat ? join(folder, basename(key)) : join(folder, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }
}

/** Puts the set's files and digests into `bucket` (which must exist), 8 at a time. */
export async function putCloudTrailLogFiles(
  client: S3Client,
  bucket: string,
  set: CloudTrailLogSet,
): Promise<void> {
  const objects = [...set.files, ...set.digests];
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const { key, body } = objects[next++] as { key: string; body: Buffer };
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ContentEncoding: 'gzip',
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** A record as text, with the placeholders of its eventID, eventTime and requestID to fill. */
type Template = string[];

const PLACEHOLDER = /"@@(EVENT_ID|EVENT_TIME|REQUEST_ID)@@"/;

function compileTemplate(
  record: Record<string, unknown>,
  account: string,
  region: string,
): Template {
  const text = JSON.stringify({
    ...record,
    eventTime: '@@EVENT_TIME@@',
    requestID: '@@REQUEST_ID@@',
    eventID: '@@EVENT_ID@@',
  })
    .replaceAll(String(record['recipientAccountId'] ?? FIXTURE_ACCOUNT), account)
    .replaceAll(String(record['awsRegion'] ?? FIXTURE_REGION), region);
  // split with a capture group alternates text and placeholder names.
  return text.split(PLACEHOLDER);
}

function fill(template: Template, eventId: string, atMs: number, random: () => number): string {
  let text = '';
  template.forEach((part, index) => {
    if (index % 2 === 0) text += part;
    else if (part === 'EVENT_ID') text += JSON.stringify(eventId);
    else if (part === 'EVENT_TIME') text += JSON.stringify(isoSeconds(atMs));
    else text += JSON.stringify(hex(random, 16).toUpperCase());
  });
  return text;
}

const CLUSTERS = ['prod-web', 'batch', 'staging'];
const FAMILIES = ['web-worker', 'nightly-report', 'api'];
const FAILURES = ['RESOURCE:MEMORY', 'RESOURCE:CPU', 'AGENT'];

function runTaskFacts(
  random: () => number,
  account: string,
  region: string,
  eventId: string,
  atMs: number,
): RunTaskFacts {
  const failed = random() < 0.1;
  return {
    eventId,
    region,
    account,
    clusterName: pick(random, CLUSTERS),
    family: pick(random, FAMILIES),
    revision: 1 + Math.floor(random() * 40),
    callerArn: `arn:aws:sts::${account}:assumed-role/ecsEventsRole/${hex(random, 32)}`,
    atMs,
    taskIds: failed
      ? []
      : Array.from({ length: 1 + Math.floor(random() * 2) }, () => hex(random, 32)),
    failureReasons: failed ? [pick(random, FAILURES)] : [],
  };
}

function digestFile(
  trailFolder: string,
  account: string,
  region: string,
  day: string,
  files: readonly CloudTrailLogFile[],
): { key: string; body: Buffer } {
  const end = new Date(`${day}T23:59:59Z`);
  const stamp = end.toISOString().replace(/[-:]/g, '').replace('.000', '');
  const key = `${trailFolder}CloudTrail-Digest/${region}/${day.replaceAll('-', '/')}/${account}_CloudTrail-Digest_${region}_${TRAIL_NAME}_${region}_${stamp}.json.gz`;
  const digest = {
    awsAccountId: account,
    digestStartTime: `${day}T00:00:00Z`,
    digestEndTime: `${day}T23:59:59Z`,
    digestS3Bucket: 'cloudtrail-logs',
    digestS3Object: key,
    digestPublicKeyFingerprint: '9e2a4f1c7b8d3e6a0f5c2b1d8e7a6f4c',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: files.at(-1)?.deliveredAt.toISOString() ?? null,
    oldestEventTime: files[0]?.deliveredAt.toISOString() ?? null,
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles: files.map((file) => ({
      s3Bucket: 'cloudtrail-logs',
      s3Object: file.key,
      hashValue: file.body.subarray(0, 32).toString('hex'),
      hashAlgorithm: 'SHA-256',
      newestEventTime: file.deliveredAt.toISOString(),
      oldestEventTime: file.deliveredAt.toISOString(),
    })),
  };
  return { key, body: gzipSync(JSON.stringify(digest)) };
}

/** Records of other services, as a management trail holds them between ECS calls. */
const OTHER_SERVICE_RECORDS: Record<string, unknown>[] = [
  loadFixture('cloudtrail/non-ecs-record.json'),
  {
    eventVersion: '1.08',
    userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' },
    eventTime: '2026-11-20T03:00:09Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: 'eu-west-1',
    sourceIPAddress: 'ecs-tasks.amazonaws.com',
    userAgent: 'ecs-tasks.amazonaws.com',
    requestParameters: {
      roleArn: 'arn:aws:iam::111122223333:role/web-worker-task',
      roleSessionName: '8988c7cbb2c7d9584977f3ef4194c29e',
    },
    responseElements: {
      credentials: {
        accessKeyId: 'ASIAQ3EXAMPLE7T2KD5M',
        sessionToken: 'IQoJb3JpZ2luX2VjEHwaCWV1LXdlc3QtMSJHMEUCIQDexample',
        expiration: 'Nov 20, 2026, 9:00:09 AM',
      },
    },
    requestID: 'b6a1c3e2-5f4d-4e8a-9c7b-2d1e0f3a4b5c',
    eventID: 'e3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    readOnly: true,
    resources: [
      {
        accountId: '111122223333',
        type: 'AWS::IAM::Role',
        ARN: 'arn:aws:iam::111122223333:role/web-worker-task',
      },
    ],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    sharedEventID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    eventCategory: 'Management',
  },
  {
    eventVersion: '1.08',
    userIdentity: { type: 'AWSService', invokedBy: 'secretsmanager.amazonaws.com' },
    eventTime: '2026-11-20T03:00:12Z',
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    awsRegion: 'eu-west-1',
    sourceIPAddress: 'secretsmanager.amazonaws.com',
    userAgent: 'secretsmanager.amazonaws.com',
    requestParameters: {
      encryptionContext: {
        SecretARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/web/db-Xk2p9Q',
        SecretVersionId: '5c0f3e2a-8b1d-4f6e-9a7c-3d2b1e0f4a5c',
      },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    responseElements: null,
    requestID: '0f9e8d7c-6b5a-4f3e-2d1c-0b9a8f7e6d5c',
    eventID: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    readOnly: true,
    resources: [
      {
        accountId: '111122223333',
        type: 'AWS::KMS::Key',
        ARN: 'arn:aws:kms:eu-west-1:111122223333:key/4f2e1d0c-9b8a-4765-a4b3-c2d1e0f9a8b7',
      },
    ],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  },
  {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAKA4X4QVHDWYAVKTXF:dana.ops',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Operator_5c2f1e/dana.ops',
      accountId: '111122223333',
      accessKeyId: 'ASIACZEXAMPLEQ4N7W2B',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAKA4X4QVHDWYAVKTXF',
          arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operator_5c2f1e',
          accountId: '111122223333',
          userName: 'AWSReservedSSO_Operator_5c2f1e',
        },
        attributes: { creationDate: '2026-11-20T02:41:30Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2026-11-20T03:01:44Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'AWS Internal',
    requestParameters: {
      instancesSet: {},
      filterSet: { items: [{ name: 'tag:Cluster', valueSet: { items: [{ value: 'batch' }] } }] },
    },
    responseElements: null,
    requestID: '6e5d4c3b-2a19-4f8e-b7d6-c5b4a3928170',
    eventID: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'ec2.eu-west-1.amazonaws.com',
    },
    sessionCredentialFromConsole: 'true',
  },
  {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROA2EXAMPLEROLEID01:8988c7cbb2c7d9584977f3ef4194c29e',
      arn: 'arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/8988c7cbb2c7d9584977f3ef4194c29e',
      accountId: '111122223333',
      accessKeyId: 'ASIA2EXAMPLEKEY7Q3F',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROA2EXAMPLEROLEID01',
          arn: 'arn:aws:iam::111122223333:role/ecsTaskExecutionRole',
          accountId: '111122223333',
          userName: 'ecsTaskExecutionRole',
        },
        attributes: { creationDate: '2026-11-20T03:00:09Z', mfaAuthenticated: 'false' },
      },
      invokedBy: 'ecs-tasks.amazonaws.com',
    },
    eventTime: '2026-11-20T03:00:14Z',
    eventSource: 'logs.amazonaws.com',
    eventName: 'CreateLogStream',
    awsRegion: 'eu-west-1',
    sourceIPAddress: 'ecs-tasks.amazonaws.com',
    userAgent: 'ecs-tasks.amazonaws.com',
    requestParameters: {
      logGroupName: '/ecs/web-worker',
      logStreamName: 'ecs/web-worker/8988c7cbb2c7d9584977f3ef4194c29e',
    },
    responseElements: null,
    requestID: '3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f',
    eventID: '4d5e6f7a-8b9c-4d0e-1f2a-3b4c5d6e7f8a',
    readOnly: false,
    eventType: 'AwsApiCall',
    apiVersion: '20140328',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  },
];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function hex(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += Math.floor(random() * 16).toString(16);
  return text;
}

/** A version-4 UUID from the generator: distinct in practice (122 random bits). */
function uuid(random: () => number): string {
  const h = hex(random, 32);
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The 16-character unique part of a log file's name. */
function uniqueSuffix(random: () => number): string {
  let text = '';
  for (let i = 0; i < 16; i++) text += pick(random, ALPHANUMERIC.split(''));
  return text;
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
