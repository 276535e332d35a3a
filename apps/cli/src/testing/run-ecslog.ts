/**
 * Runs the real `ecslog` binary, as a user would, for end-to-end specs. Used only by tests.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { isKnownSchemaVersion } from '@ecslog/ecs-event-mapper';

/** The end-to-end specs run from the repository root, like `npx ecslog`. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
export const ECSLOG_BIN = 'apps/cli/bin/ecslog.js';
/** Fixture folder relative to REPO_ROOT, so messages show short, stable paths. */
export const EVENTS_DIR = 'libs/ecs-event-mapper/tests/events';

export interface EcslogRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  stderrLines: string[];
}

/**
 * Runs `node apps/cli/bin/ecslog.js ...args` in the repository root, feeding `stdin` if given;
 * `env` is added to this process's environment (a value `undefined` removes the variable).
 */
export function runEcslog(
  args: readonly string[],
  stdin?: string | Buffer,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<EcslogRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ECSLOG_BIN, ...args], {
      cwd: REPO_ROOT,
      env: childEnv(env),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const err = Buffer.concat(stderr).toString('utf8');
      resolvePromise({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: err,
        stderrLines: err.split('\n').filter((line) => line !== ''),
      });
    });
    child.stdin.end(stdin);
  });
}

/** Parses stdout as NDJSON AuditRecords, failing on any line that is not one. */
export function parseRecords(stdout: string): AuditRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as AuditRecord;
      const wellFormed =
        isKnownSchemaVersion(record.schemaVersion) &&
        typeof record.recordId === 'string' &&
        typeof record.recordType === 'string' &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(record.eventTime) &&
        typeof record.outcome?.status === 'string';
      if (!wellFormed) {
        throw new Error(`not an AuditRecord (schemaVersion 1 or 2): ${line}`);
      }
      return record;
    });
}

function childEnv(extra: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A long-running `ecslog` (e.g. `ecslog local`), its output so far, and how to stop it. */
export interface RunningEcslog {
  pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches, rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal (default SIGINT, as Ctrl-C) and resolves with the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `ecslog ...args` in the repository root without waiting for it to end. */
export function startEcslog(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): RunningEcslog {
  const child = spawn(process.execPath, [ECSLOG_BIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    pid: child.pid as number,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          if (pattern.test(stdout)) return resolve(stdout);
          if (child.exitCode !== null || Date.now() > deadline)
            return reject(
              new Error(`ecslog ${args.join(' ')}: no ${pattern} in\n${stdout}\n${stderr}`),
            );
          setTimeout(check, 50);
        };
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The environment of an `ecslog --table …` run against loopback servers: the given endpoints
 * (e.g. `{ AWS_ENDPOINT_URL_DYNAMODB: … }`), example credentials, and nothing from this
 * machine's AWS config (no profile, region, config files or instance metadata).
 */
export function fakeAwsEnvironment(
  home: string,
  endpoints: Record<string, string>,
): Record<string, string | undefined> {
  return {
    ECSLOG_HOME: home,
    ...endpoints,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
