import type { Command } from 'commander';
import { Option } from 'commander';

export const STORE_HELP = `
Store: the local store in $ECSLOG_HOME (default ./.ecslog) — served by \`ecslog local\` while it
runs, opened directly otherwise — or an AWS table with --table NAME [--region R] [--profile P].`;

/** Adds `--table`, `--region` and `--profile`. */
export function addStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--table <name>', 'the audit table in AWS (default: the local store)'))
    .addOption(
      new Option('--region <region>', 'AWS region of --table (default: AWS_REGION, the profile)'),
    )
    .addOption(new Option('--profile <profile>', 'AWS profile for --table'));
}
