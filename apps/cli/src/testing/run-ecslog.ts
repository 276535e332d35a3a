/**
 * Runs the real `ecslog` binary, as a user would, for end-to-end specs. Used only by tests.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';

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

/** Runs `node apps/cli/bin/ecslog.js ...args` in the repository root, feeding `stdin` if given. */
export function runEcslog(args: readonly string[], stdin?: string | Buffer): Promise<EcslogRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ECSLOG_BIN, ...args], { cwd: REPO_ROOT });
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
        record.schemaVersion === 1 &&
        typeof record.recordId === 'string' &&
        typeof record.recordType === 'string' &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(record.eventTime) &&
        typeof record.outcome?.status === 'string';
      if (!wellFormed) {
        throw new Error(`not an AuditRecord (schemaVersion 1): ${line}`);
      }
      return record;
    });
}
