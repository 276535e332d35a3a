/**
 * @ecslog/task-runs — task runs from audit records, pure: which record tells a run, its span and
 * explicit end, whether it was active in a window; timelines of runs and failure groups. Shared by
 * the store (what it keeps per run), the CLI, the web view and later consumers.
 *
 * @example
 * import { isActiveDuring, taskRunOf } from '@ecslog/task-runs';
 * const run = taskRunOf(record);
 * if (run && isActiveDuring(run, { from, to })) print(run);
 */
export * from './task-runs';
export * from './timeline';
export * from './failure-groups';
export * from './digest-drift';
export * from './provenance-match';
