/**
 * @ecslog/ingest-pipeline/testing — test support for ingest: a loopback SQS server (send, receive,
 * delete, visibility), kinesalite helpers, recording logger and metrics, in-memory and failing
 * writers, a table scan, Lambda event fixtures. Never imported by production code.
 */
export * from './fixtures';
export * from './local-kinesis';
export * from './local-sqs-server';
export * from './recording-telemetry';
export * from './table-scan';
export * from './fake-writers';
