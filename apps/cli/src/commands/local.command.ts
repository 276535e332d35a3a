/**
 * `ecslog local`: its options and help. What it runs is in local.run.ts, loaded when it runs.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io';
import { DEFAULT_UI_PORT, portNumber } from './ui.command';

export interface LocalOptions {
  port?: number;
  uiPort?: number;
  open: boolean;
  seed: number;
  /** `--simulate` / `--no-simulate`; undefined: only into an empty store. */
  simulate?: boolean;
  /** `--webhook URL`: incident messages also go there. */
  webhook?: string;
}

/** Adds `ecslog local` (what `npm start` runs). */
export function registerLocalCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return program
    .command('local')
    .summary('run local mode: the audit store on this machine, with a simulated day on first start')
    .description(
      'Start local mode: the audit table in dynalite, persisted in $ECSLOG_HOME (default ./.ecslog), served on a ' +
        'loopback port that every other ecslog command uses while this runs; the lake in $ECSLOG_HOME/lake; ' +
        `the web view on http://127.0.0.1:${DEFAULT_UI_PORT}/. ` +
        'On first start it loads a realistic simulated day through the ingest code. Ctrl-C stops it.',
    )
    .option(
      '--port <port>',
      'serve the store on this loopback port (default: any free port)',
      storePort,
    )
    .option(
      '--ui-port <port>',
      `serve the web view on this port of 127.0.0.1 (default ${DEFAULT_UI_PORT}, else any free port; 0: any free port)`,
      portNumber,
    )
    .option('--no-open', 'do not open a browser on the web view')
    .option(
      '--seed <n>',
      'seed of the simulated day loaded on first start',
      (text) => {
        const value = Number(text);
        if (!Number.isSafeInteger(value) || value < 0)
          throw new InvalidArgumentError('must be a whole number');
        return value;
      },
      1,
    )
    .option(
      '--simulate',
      'load a simulated day now, even into a store that holds data (default: only into an empty store)',
    )
    .option('--no-simulate', 'never load a simulated day, even into an empty store')
    .option(
      '--webhook <url>',
      'also send incident messages to this webhook: a Slack incoming webhook URL gets Slack messages, any other ' +
        'https URL (or http on loopback) the JSON of schema ecslog.incident-message/1 (default: messages are printed only)',
    )
    .action(async (options: LocalOptions) => {
      const { runLocal } = await import('./local.run.js');
      setExitCode(await runLocal(options, io));
    });
}

function storePort(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    throw new InvalidArgumentError('must be a port number (1–65535)');
  return value;
}
