/**
 * @ecslog/simulator — a realistic, deterministic day of ECS events with its outcome known by
 * construction. Pure: the seed and the day are arguments.
 *
 * @example
 * import { simulateDay, toNdjson } from '@ecslog/simulator';
 * const { events, expected } = simulateDay({ seed: 7 });
 * write('day.ndjson', toNdjson(events));
 */
export { isSimulatedRecord, SIMULATED_ACCOUNT, simulateDay, simulateEvents } from './simulate-day';
export { MAX_DAYS_PER_RUN } from './simulation-ids';
export type {
  DayExpectation,
  ExpectedIncident,
  SimulateDayOptions,
  SimulatedDay,
  SimulateEventsOptions,
} from './simulate-day';
export { seededRandom } from './seeded-random';
export type { SeededRandom } from './seeded-random';
export { toNdjson } from './to-ndjson';
