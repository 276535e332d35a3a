/**
 * @ecslog/audit-store/testing — real local servers, table setup, a table scan and a
 * fault-injecting proxy for tests and benchmarks. Never imported by production code.
 */
export * from './local-dynamodb';
export * from './scan-table';
export * from './fault-proxy';
export * from './task-lives';
