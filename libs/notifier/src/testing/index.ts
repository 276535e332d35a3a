/**
 * @ecslog/notifier/testing — real loopback servers for tests of the channels and the notifier:
 * a webhook receiver that records deliveries and injects failures, and an SNS Publish server
 * that checks what the real SDK client sends. Never imported by production code.
 */
export * from './webhook-receiver';
export * from './local-sns-server';
export * from './incident-fixtures';
export * from './records';
