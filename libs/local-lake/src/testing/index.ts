/** @ecslog/local-lake/testing — helpers for specs that look at a local lake. Used only by tests. */
export { filesUnder } from './files-under';
