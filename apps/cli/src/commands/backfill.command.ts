import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';

/**
 * Adds `ecslog backfill …`: runs the backfill app (apps/backfill) with the same arguments, in a
 * child process with this terminal — one implementation, two names (`ecslog backfill`, `npx nx run
 * backfill:run`). Ctrl-C reaches the child, which checkpoints and stops.
 */
export function registerBackfillCommand(
  program: Command,
  setExitCode: (code: number) => void,
): Command {
  return program
    .command('backfill')
    .summary('replay CloudTrail history (LookupEvents, S3 or a folder) into the audit log')
    .description(
      'Replay CloudTrail history into the audit log. `ecslog backfill --help` lists the options.',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]')
    .action(async (args: string[]) => {
      setExitCode(await runBackfillApp(args));
    });
}

function runBackfillApp(args: readonly string[]): Promise<number> {
  // A path, not an import: one app may not import another. Both live in this workspace.
  const bin = join(__dirname, '..', '..', '..', 'backfill', 'bin', 'backfill.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit' });
    // Ctrl-C goes to the whole foreground process group: the child stops itself, cleanly.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}
