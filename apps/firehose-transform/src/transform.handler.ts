import type { FirehoseTransformationHandler } from 'aws-lambda';
import { createRuntime } from './runtime';
import { createTransformHandler } from './transform-handler';

/** The Firehose stream's data-transformation function. Dependencies are built once, at cold start. */
export const handler = createTransformHandler(
  createRuntime(process.env),
) satisfies FirehoseTransformationHandler;
