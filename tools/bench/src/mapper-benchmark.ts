import { mapEvent } from '@ecslog/ecs-event-mapper';
import { sampleEcsInputs } from '@ecslog/ecs-event-mapper/testing';
import type { Measurement } from './measure';
import { measure } from './measure';

export interface MapperBenchmarkResult {
  benchmark: 'ecs-event-mapper';
  events: number;
  bytes: number;
  taskStateChangeShare: number;
  seed: number;
  rounds: number;
  measurements: Measurement[];
  /** Time of parse + map over time of parse alone (target ≤ 1.5). */
  ratio: number;
  target: number;
}

/**
 * events/s for JSON.parse alone (the floor any consumer pays) and for JSON.parse + mapEvent,
 * on a realistic mix of serialised ECS inputs (mostly task state changes).
 */
export function runMapperBenchmark(options: {
  events: number;
  rounds: number;
  seed: number;
  now: () => number;
}): MapperBenchmarkResult {
  const inputs = sampleEcsInputs(options.events, options.seed);
  const lines = inputs.map((input) => JSON.stringify(input));
  const taskShare =
    inputs.filter((input) => input['detail-type'] === 'ECS Task State Change').length /
    inputs.length;

  const measurements = measure(
    {
      name: 'JSON.parse',
      run: () => {
        let n = 0;
        for (const line of lines) n += JSON.parse(line) === null ? 0 : 1;
        return n;
      },
    },
    [
      {
        name: 'JSON.parse + mapEvent',
        run: () => {
          let n = 0;
          for (const line of lines) n += mapEvent(JSON.parse(line)).kind === 'mapped' ? 1 : 0;
          return n;
        },
      },
    ],
    { items: lines.length, rounds: options.rounds, warmupRounds: 2, now: options.now },
  );

  return {
    benchmark: 'ecs-event-mapper',
    events: lines.length,
    bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0),
    taskStateChangeShare: taskShare,
    seed: options.seed,
    rounds: options.rounds,
    measurements,
    ratio: measurements[1]?.ratioToBaseline ?? NaN,
    target: 1.5,
  };
}
