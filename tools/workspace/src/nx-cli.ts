/** Runs the workspace's own nx in a child process (no daemon, no cache replay) and returns stdout. */
import { spawnSync } from 'node:child_process';

export function runNx(workspaceRoot: string, args: readonly string[]): string {
  const run = spawnSync(process.execPath, [require.resolve('nx/bin/nx.js'), ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0)
    throw new Error(`nx ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** The part of `nx graph --file` these checks read. */
export interface NxGraph {
  nodes: Record<
    string,
    {
      data: {
        root: string;
        tags?: string[];
        targets?: Record<string, NxTarget>;
      };
    }
  >;
  dependencies: Record<string, { source: string; target: string; type: string }[]>;
}

export interface NxTarget {
  executor?: string;
  command?: string;
  options?: { command?: string; cwd?: string };
  dependsOn?: unknown[];
  metadata?: { description?: string; technologies?: string[] };
}
