/**
 * Composition root of the `ecslog` CLI: wires the commands to the real process. The only module
 * that touches `process`; it sets `process.exitCode` and lets Node exit once stdout is flushed.
 */
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json';
import type { MapIo } from './commands/map.command';
import { registerMapCommand } from './commands/map.command';

export function createProgram(io: MapIo, setExitCode: (code: number) => void): Command {
  const program = new Command('ecslog')
    .description('A durable, queryable audit log for Amazon ECS.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    // Commander would call process.exit() after --help, --version or a usage error, possibly
    // before a piped stdout is flushed; report the code instead. Commands created with
    // .command() inherit this setting.
    .exitOverride();
  registerMapCommand(program, io, setExitCode);
  return program;
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    process.stderr.write('ecslog: reading events from stdin (end with Ctrl-D; --help for usage)\n');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function main(): void {
  // A closed stderr (`2>&1 | head`) must not crash the process; stdout is handled per command.
  process.stderr.on('error', () => undefined);
  const io: MapIo = { stdout: process.stdout, stderr: process.stderr, readStdin };
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
      process.stderr.write(
        `ecslog: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      setExitCode(1);
    });
}

main();
