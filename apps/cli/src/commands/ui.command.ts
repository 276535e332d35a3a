/**
 * `ecslog ui`: its options and help. What it runs is in ui.run.ts, loaded when it runs.
 */
import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io';
import { STORE_HELP, addStoreOptions } from './store-options';

/** Where the web view listens unless told otherwise (on 127.0.0.1). */
export const DEFAULT_UI_PORT = 4680;

export interface UiOptions extends StoreOptions {
  port?: number;
  open: boolean;
}

/** Adds `ecslog ui`: the web view over the local store or an AWS table, until Ctrl-C. */
export function registerUiCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addStoreOptions(
    program
      .command('ui')
      .summary('serve the web view: task runs on a timeline, failures, run details')
      .description(
        `Serve the web view on http://127.0.0.1:${DEFAULT_UI_PORT}/ (read-only, this machine only) until Ctrl-C: ` +
          'task runs on a timeline by service and task family, coloured by outcome, with pending and image-pull time; ' +
          'runs that never started as marks; failures by category; a run’s full timeline on click. ' +
          'Filters (cluster, service/family, status, range) live in the URL, so links share the view. ' +
          '`ecslog local` serves it too. It answers only the link it prints (?token=…, new at each start) ' +
          'and the browser that opened it.',
      )
      .option(
        '--port <port>',
        `the port on 127.0.0.1 (default ${DEFAULT_UI_PORT}; 0: any free port)`,
        portNumber,
      )
      .option('--no-open', 'do not open a browser'),
  )
    .addHelpText('after', STORE_HELP)
    .action(async (options: UiOptions) => {
      const { runUi } = await import('./ui.run.js');
      setExitCode(await runUi(options, io));
    });
}

export function portNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new InvalidArgumentError('must be a port number (0–65535; 0 takes any free port)');
  return value;
}
