/**
 * How long the `ecslog` binary takes to start, against what Node itself takes in the same run:
 * `node -e 0`, and Node loading the AWS SDK modules a query needs. People script the CLI (a loop
 * of `ecslog task … --json`), so start-up is paid on every call. Each command runs `rounds` times
 * in a fresh process, interleaved with the baselines, and the medians are compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO_ROOT = join(__dirname, '../../..');
const ECSLOG = join(REPO_ROOT, 'apps/cli/bin/ecslog.js');
const FIXTURE = join(
  REPO_ROOT,
  'libs/ecs-event-mapper/tests/events/eventbridge/task-stopped-oom.json',
);
/** What a query on a store loads of the SDK (the DynamoDB client and its document layer). */
const SDK_MODULES = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

export interface CliTiming {
  name: string;
  /** Median wall time of one run, ms. */
  medianMs: number;
  /** The baseline it is compared with, and the ratio (target ≤ 1.5). */
  baseline: 'node' | 'node + SDK';
  ratio: number;
}

export interface CliBenchmarkResult {
  benchmark: 'cli';
  rounds: number;
  nodeMs: number;
  nodeWithSdkMs: number;
  commands: CliTiming[];
  target: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { env, cwd: REPO_ROOT, encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (run.error) throw run.error;
  return elapsed;
}

export function runCliBenchmark(options: { rounds: number }): CliBenchmarkResult {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-cli-bench-'));
  try {
    const env = { ...process.env, ECSLOG_HOME: home, NO_COLOR: '1' };
    const loadSdk = SDK_MODULES.map((name) => `require(${JSON.stringify(name)})`).join(';');
    const runs: Record<string, { args: string[]; baseline: CliTiming['baseline'] }> = {
      'ecslog --help': { args: [ECSLOG, '--help'], baseline: 'node' },
      'ecslog map <one event>': { args: [ECSLOG, 'map', FIXTURE], baseline: 'node' },
      'ecslog tasks --since 1h (empty local store)': {
        args: [ECSLOG, 'tasks', '--since', '1h'],
        baseline: 'node + SDK',
      },
    };
    const times: Record<string, number[]> = { node: [], 'node + SDK': [] };
    for (const name of Object.keys(runs)) times[name] = [];
    // A first run of each warms the file cache, not counted.
    timeRun(['-e', '0'], env);
    for (const { args } of Object.values(runs)) timeRun(args, env);
    for (let round = 0; round < options.rounds; round += 1) {
      times['node']!.push(timeRun(['-e', '0'], env));
      times['node + SDK']!.push(timeRun(['-e', loadSdk], env));
      for (const [name, { args }] of Object.entries(runs)) times[name]!.push(timeRun(args, env));
    }
    const nodeMs = median(times['node']!);
    const nodeWithSdkMs = median(times['node + SDK']!);
    return {
      benchmark: 'cli',
      rounds: options.rounds,
      nodeMs,
      nodeWithSdkMs,
      commands: Object.entries(runs).map(([name, { baseline }]) => {
        const medianMs = median(times[name]!);
        return {
          name,
          medianMs,
          baseline,
          ratio: medianMs / (baseline === 'node' ? nodeMs : nodeWithSdkMs),
        };
      }),
      target: '≤ 1.5× the baseline (issue 19)',
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
