/**
 * Which audit table a command uses: the local store by default, or an AWS table with `--table`.
 */
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
