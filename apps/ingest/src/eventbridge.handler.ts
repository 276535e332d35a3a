import { createEventBridgeHandler } from '@ecslog/ingest-pipeline';
import type { EventBridgeHandler } from 'aws-lambda';
import { createRuntime } from './runtime';

/** The EventBridge rule's target. Dependencies are built once, at cold start. */
export const handler = createEventBridgeHandler(
  createRuntime(process.env),
) satisfies EventBridgeHandler<string, unknown, void>;
