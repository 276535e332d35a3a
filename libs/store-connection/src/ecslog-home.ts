/**
 * `$ECSLOG_HOME` (default `./.ecslog`): everything local mode keeps, in one folder.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';

export interface EcslogHome {
  root: string;
  /** dynalite's LevelDB files: the local audit table. */
  store: string;
  /**
   * `{ "layout": n }`: the table layout the store was created with (`TABLE_LAYOUT_VERSION`), so
   * that another version's store is detected rather than read wrong (see `store-layout.ts`).
   */
  storeLayout: string;
  /** Lake rows as Firehose writes them to S3: `lake/dt=YYYY-MM-DD/*.ndjson`. */
  lake: string;
  /** Invalid inputs, one NDJSON line each, kept whole. */
  quarantine: string;
  /** Who holds the store now: `{ pid, role, endpoint }` (see `store-lock.ts`). */
  lock: string;
  /** Written once the simulated day is loaded: a later start reuses the data. */
  simulatedDay: string;
  /** The local store's own credentials (mode 0600): only requests signed with them get in. */
  credentials: string;
}

/** The table name local mode gives the audit table. */
export const LOCAL_TABLE_NAME = 'ecslog-audit';

export function ecslogHome(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): EcslogHome {
  const root = resolve(cwd, env['ECSLOG_HOME'] || '.ecslog');
  return {
    root,
    store: resolve(root, 'store'),
    storeLayout: resolve(root, 'store-layout.json'),
    lake: resolve(root, 'lake'),
    quarantine: resolve(root, 'quarantine.ndjson'),
    lock: resolve(root, 'store.lock'),
    simulatedDay: resolve(root, 'simulated-day.json'),
    credentials: resolve(root, 'store-credentials.json'),
  };
}

/** A path for messages: relative to `cwd` when inside it, else absolute. */
export function displayPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  if (inside === '') return '.';
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? path : inside;
}
