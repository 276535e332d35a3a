/**
 * Telling a simulated record, for the views that mark it "(simulated)". The simulator's own
 * `isSimulatedRecord` (`@ecslog/simulator`) is the same test, but its package loads the event
 * generators (fast-check) with it: a query must not pay for those to print a table.
 * simulated-records.spec.ts checks that both agree.
 */

/** The simulator's account (`SIMULATED_ACCOUNT` of `@ecslog/simulator`): AWS issues no such id. */
export const SIMULATED_ACCOUNT = '000000000000';

/** True for a record of the simulator's account. */
export function isSimulatedRecord(record: { account?: unknown }): boolean {
  return record.account === SIMULATED_ACCOUNT;
}
