/**
 * @ecslog/ecs-event-mapper/testing — generators and fixtures for tests, benchmarks and the
 * simulator. Never imported by production code.
 */
export * from './arbitraries';
export * from './fixtures';
export * from './live-traffic';
export * from './mapped-records';
export * from './other-events';
