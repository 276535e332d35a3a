/**
 * Which audit table a command uses: the local store by default, or an AWS table with `--table`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AuditStoreConnection } from './audit-store-connection';
import { StoreUnavailableError } from './audit-store-connection';
import { openAwsStore } from './aws-store';
import type { EcslogHome } from './ecslog-home';
import { openLocalStore } from './local-store';

export interface StoreOptions {
  table?: string;
  region?: string;
  profile?: string;
}

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

export async function openStore(
  options: StoreOptions,
  context: { home: EcslogHome; cwd: string },
): Promise<AuditStoreConnection> {
  if (options.table === undefined) {
    if (options.region !== undefined || options.profile !== undefined)
      throw new StoreUnavailableError(
        '--region and --profile need --table (the local store has neither)',
      );
    return openLocalStore({ home: context.home, role: 'command', cwd: context.cwd });
  }
  return openAwsStore({ ...options, table: options.table });
}
