/**
 * The backfill's two benchmarks, run as the backfill app's own benchmark scripts in child processes
 * (an app is not imported by another project): LookupEvents against the local server enforcing
 * 2 requests/s, and log files from a folder against the gunzip + JSON.parse floor.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');

export interface BackfillBenchmarkResult {
  benchmark: 'backfill';
  lookup: Record<string, unknown> & {
    eventsPerSecond: number;
    fractionOfCeiling: number;
    ceiling: number;
  };
  logFiles: Record<string, unknown> & { fractionOfFloor: number };
}

export function runBackfillBenchmark(): BackfillBenchmarkResult {
  return {
    benchmark: 'backfill',
    lookup: runScript(
      'apps/backfill/src/bench/lookup-benchmark.ts',
    ) as BackfillBenchmarkResult['lookup'],
    logFiles: runScript(
      'apps/backfill/src/bench/log-files-benchmark.ts',
    ) as BackfillBenchmarkResult['logFiles'],
  };
}

/**
 * Runs a benchmark script with tsx, the workspace's packages from their sources (the
 * `@ecslog/source` export condition); stdout ends with its JSON result.
 */
function runScript(path: string): Record<string, unknown> {
  const tsx = [require.resolve('tsx/cli'), '--conditions=@ecslog/source'];
  const output = execFileSync(process.execPath, [...tsx, path], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The result is the JSON document at the end of stdout (pretty-printed or on one line).
  const text = output.trim();
  return JSON.parse(text.slice(text.lastIndexOf('\n{') + 1)) as Record<string, unknown>;
}
