import { Logger } from '@aws-lambda-powertools/logger';
import type { TransformDependencies } from './transform-handler';

export const DEFAULT_SERVICE_NAME = 'ecslog-firehose-transform';

/**
 * The composition root: the transform's real dependencies, built once per cold start. Only the
 * logger is configured from the environment (POWERTOOLS_SERVICE_NAME, default
 * `ecslog-firehose-transform`; POWERTOOLS_LOG_LEVEL, read by Powertools itself).
 *
 * @example
 * export const handler = createTransformHandler(createRuntime(process.env));
 */
export function createRuntime(
  env: Readonly<Record<string, string | undefined>>,
): TransformDependencies {
  const serviceName = env['POWERTOOLS_SERVICE_NAME']?.trim() || DEFAULT_SERVICE_NAME;
  return { logger: new Logger({ serviceName }) };
}
