/**
 * @ecslog/store-connection — which audit table a command uses: the local store (dynalite in
 * `$ECSLOG_HOME`, served on loopback by whichever ecslog process holds `store.lock`) or a table in
 * AWS (`--table`, checked with DescribeTable before any work). Shared by the CLI and the backfill.
 *
 * @example
 * const store = await openStore({ table: undefined }, { home: ecslogHome(process.env, cwd), cwd });
 * try { await store.reader.failures(range); } finally { await store.close(); }
 */
export type { AuditStoreConnection } from './audit-store-connection';
export { StoreUnavailableError } from './audit-store-connection';
export type { AwsTableOptions } from './aws-store';
export { explainAwsError, openAwsStore } from './aws-store';
export type { EcslogHome } from './ecslog-home';
export { displayPath, ecslogHome, LOCAL_TABLE_NAME } from './ecslog-home';
export type { LocalStore, LocalStoreOptions } from './local-store';
export { openLocalStore } from './local-store';
export type { StoreOptions } from './open-store';
export { openStore } from './open-store';
export type { HolderState, LockAttempt, ProcessProbe, StoreLock } from './store-lock';
export { holderState, readLock, releaseLock, tryTakeLock, updateLock } from './store-lock';
export type { ProcessStart } from './process-start';
export { readProcessStart } from './process-start';
export type { StoreCredentials } from './store-credentials';
export { readStoreCredentials, StoreCredentialsError } from './store-credentials';
