/**
 * The lists the command definitions print in their help: the failure categories (`ecslog
 * failures`) and the outcome filters (`ecslog tasks --status`). Their source is the domain
 * (`FAILURE_CATEGORIES` of `@ecslog/ecs-event-mapper`, `OUTCOME_FILTERS` of `@ecslog/task-runs`),
 * but those packages load the whole mapper, and `ecslog --help` must not: so they are spelled out
 * here, the type checker refusing a missing or unknown value and help-lists.spec.ts a list that
 * differs from the domain's (order included).
 */
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import type { OUTCOME_FILTERS } from '@ecslog/task-runs';

/** What `OUTCOME_FILTERS` holds: an outcome status, or `not-started`. */
type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

/** Every value of `All`, none missing (a type error names the missing one). */
type Complete<All, Listed extends readonly All[]> = [Exclude<All, Listed[number]>] extends [never]
  ? Listed
  : { missing: Exclude<All, Listed[number]> };

const failureCategories = [
  'essential-container-exited',
  'out-of-memory',
  'image-pull',
  'resource-initialization',
  'health-check',
  'spot-interruption',
  'placement',
  'start-failure',
  'infrastructure',
  'deployment-failed',
  'api-error',
  'other',
] as const satisfies readonly FailureCategory[];

const outcomeFilters = [
  'in-progress',
  'succeeded',
  'failed',
  'stopped',
  'info',
  'not-started',
] as const satisfies readonly OutcomeFilter[];

/** `FAILURE_CATEGORIES`, in its order. */
export const FAILURE_CATEGORY_NAMES: Complete<FailureCategory, typeof failureCategories> =
  failureCategories;

/** `OUTCOME_FILTERS`, in its order. */
export const OUTCOME_FILTER_NAMES: Complete<OutcomeFilter, typeof outcomeFilters> = outcomeFilters;
