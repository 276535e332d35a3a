/**
 * Test support for apps/ingest: a loopback SQS SendMessage server, kinesalite helpers, recording
 * logger and metrics, fixtures. Never imported by the handlers.
 */
export * from './fixtures';
export * from './local-kinesis';
export * from './local-sqs-server';
export * from './recording-telemetry';
export * from './table-scan';
export * from './fake-writers';
