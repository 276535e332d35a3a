/**
 * Test support for apps/firehose-transform: fixtures, Firehose event builders, payload
 * generators, a recording logger. Never imported by the handler.
 */
export * from './fixtures';
export * from './firehose-events';
export * from './payload-arbitraries';
export * from './recording-logger';
