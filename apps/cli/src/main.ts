/**
 * Composition root of the `ecslog` CLI: wires the commands to the real process. The only module
 * that touches `process`; it sets `process.exitCode` and lets Node exit once stdout is flushed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerBackfillCommand } from './commands/backfill.command';
import type { CliIo } from './commands/cli-io';
import { registerEventsCommand } from './commands/events.command';
import { registerFailuresCommand } from './commands/failures.command';
import { registerIncidentsCommand } from './commands/incidents.command';
import { registerIngestCommand } from './commands/ingest.command';
import { registerLocalCommand } from './commands/local.command';
import { registerMapCommand } from './commands/map.command';
import { registerRedriveCommand } from './commands/redrive.command';
import { registerSimulateCommand } from './commands/simulate.command';
import { registerTaskCommand } from './commands/task.command';
import { registerTasksCommand } from './commands/tasks.command';
import { registerUiCommand } from './commands/ui.command';
import { visibleLines, visibleText } from './output/visible-text';

/** The version in apps/cli/package.json, one folder above both `src/` and the built `dist/`. */
function packageVersion(): string {
  const packageJson = readFileSync(join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(packageJson) as { version: string }).version;
}

/** Errors people can act on: one line, no stack. */
const EXPLAINED_ERRORS = new Set([
  'StoreUnavailableError',
  'QueryError',
  'BadTimeRangeError',
  'BadStatusError',
  'PortInUseError',
  'WebViewError',
  'BadLookupError',
  'PageNotBuiltError',
]);

export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('ecslog')
    .description('A durable, queryable audit log for Amazon ECS.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // A usage error quotes what was typed, which may hold terminal escapes.
      writeErr: (text) => io.stderr.write(visibleLines(text)),
    })
    .showHelpAfterError('(run with --help for usage)')
    // Commander would call process.exit() after --help, --version or a usage error, possibly
    // before a piped stdout is flushed; report the code instead. Commands created with
    // .command() inherit this setting.
    .exitOverride();
  registerLocalCommand(program, io, setExitCode);
  registerIngestCommand(program, io, setExitCode);
  registerTasksCommand(program, io, setExitCode);
  registerTaskCommand(program, io, setExitCode);
  registerFailuresCommand(program, io, setExitCode);
  registerEventsCommand(program, io, setExitCode);
  registerIncidentsCommand(program, io, setExitCode);
  registerUiCommand(program, io, setExitCode);
  registerBackfillCommand(program, setExitCode);
  registerRedriveCommand(program, io, setExitCode);
  registerSimulateCommand(program, io, setExitCode);
  registerMapCommand(program, io, setExitCode);
  return program;
}

/**
 * The message for an error a command threw: one line, unless ECSLOG_DEBUG asks for the stack.
 * Messages quote input (a task id, a time, a status), so it is shown escaped.
 */
export function describeFailure(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return `ecslog: ${visibleText(String(error))}`;
  if (debug) return `ecslog: ${visibleLines(error.stack ?? error.message)}`;
  if (EXPLAINED_ERRORS.has(error.name)) return `ecslog: ${visibleText(error.message)}`;
  return `ecslog: ${error.name}: ${visibleText(error.message)} (ECSLOG_DEBUG=1 shows where)`;
}

/** Standard input, streamed: `ecslog map` and `ingest` read it line by line. */
function readStdin(): AsyncIterable<Uint8Array> {
  if (process.stdin.isTTY) {
    process.stderr.write('ecslog: reading events from stdin (end with Ctrl-D; --help for usage)\n');
  }
  return process.stdin;
}

/**
 * Ctrl-C, SIGTERM, or — for a process another ecslog started with an IPC channel (the web view of
 * `ecslog local`) — that parent going away, however it ended.
 */
function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      process.off('SIGINT', stop).off('SIGTERM', stop).off('disconnect', parentGone);
      resolve(reason);
    };
    const parentGone = () => stop('the parent process ended');
    process.on('SIGINT', stop).on('SIGTERM', stop);
    if (process.connected) process.on('disconnect', parentGone);
  });
}

function main(): void {
  // A closed stderr (`2>&1 | head`) must not crash the process. Commands that print records
  // notice a closed stdout themselves (line-output); for the rest — help, usage, one-line
  // answers — a reader that went away (`ecslog --help | head -1`) is a normal end, not a crash.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    waitForStop,
  };
  const setExitCode = (code: number) => {
    process.exitCode = code;
  };
  createProgram(io, setExitCode)
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) {
        setExitCode(error.exitCode);
        return;
      }
      process.stderr.write(`${describeFailure(error, Boolean(process.env['ECSLOG_DEBUG']))}\n`);
      setExitCode(1);
    })
    // An IPC channel from a parent ecslog keeps this process alive: let go of it once done.
    .finally(() => {
      if (process.connected) process.disconnect();
    });
}

main();
