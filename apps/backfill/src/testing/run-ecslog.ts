import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root, where `apps/cli/bin/ecslog.js` runs from. */
const REPO_ROOT = resolve(__dirname, '../../../..');

/** Runs the real `ecslog` binary with `args` and `env` added to this process's, to its end. */
export function ecslog(args: readonly string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, ['apps/cli/bin/ecslog.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}
