import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECSLOG_BIN, REPO_ROOT, runEcslog } from './testing/run-ecslog';

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as {
  version: string;
};

describe('ecslog (end to end)', () => {
  it('prints help listing the map command, on stdout, with exit code 0', async () => {
    const run = await runEcslog(['--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ecslog \[options\] \[command\]/);
    expect(run.stdout).toMatch(/^ {2}map \[options\] \[inputs\.\.\.\] /m);
    expect(run.stderr).toBe('');
  });

  it('prints help for ecslog map with its options, inputs and exit codes', async () => {
    const run = await runEcslog(['map', '--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ecslog map \[options\] \[inputs\.\.\.\]/);
    expect(run.stdout).toContain('--invalid-out <file>');
    expect(run.stdout).toContain('Exit status: 0 every input was mapped or ignored');
  });

  it('ends quietly when the reader of its output goes away (ecslog --help | head -1)', async () => {
    // The reader closes the pipe before ecslog writes: its write fails with EPIPE.
    const child = spawn(process.execPath, [ECSLOG_BIN, '--help'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];

    expect(stderr).not.toMatch(/EPIPE|\n +at /);
    expect(code).toBe(0);
  });

  it('prints the version of the package', async () => {
    const run = await runEcslog(['--version']);

    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it('rejects an unknown option with a usage error and exit code 1', async () => {
    const run = await runEcslog(['map', '--no-such-option']);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("error: unknown option '--no-such-option'");
  });
});
