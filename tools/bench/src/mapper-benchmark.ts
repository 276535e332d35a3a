import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { InputKind, InputMix } from '@ecslog/ecs-event-mapper/testing';
import { LIVE_TRAFFIC_MIX, NO_KINDS, sampleEcsInputs } from '@ecslog/ecs-event-mapper/testing';
import { measure } from './measure';

export interface ParseVersusMap {
  /** `live-traffic-mix`, or one input kind. */
  workload: string;
  events: number;
  meanBytes: number;
  parsePerSecond: number;
  parseAndMapPerSecond: number;
  /** Time of JSON.parse + mapEvent over time of JSON.parse alone. */
  ratio: number;
}

export interface MapperBenchmarkResult {
  benchmark: 'ecs-event-mapper';
  seed: number;
  rounds: number;
  mix: InputMix;
  /** The headline: the live-traffic mix (target ratio ≤ 1.5). */
  overall: ParseVersusMap;
  /** The same measurement for each input kind alone, so no mix hides a slow path. */
  byKind: ParseVersusMap[];
  target: number;
}

interface Options {
  events: number;
  rounds: number;
  seed: number;
  now: () => number;
}

/**
 * events/s for JSON.parse alone (the floor any consumer pays) and for JSON.parse + mapEvent on
 * serialised ECS inputs: the live-traffic mix, then each input kind on its own.
 */
export function runMapperBenchmark(options: Options): MapperBenchmarkResult {
  const overall = parseVersusMap(
    'live-traffic-mix',
    sampleEcsInputs(options.events, options.seed),
    options,
  );
  const kinds = Object.keys(LIVE_TRAFFIC_MIX) as InputKind[];
  const perKind = Math.max(500, Math.round(options.events / 4));
  const byKind = kinds.map((kind) =>
    parseVersusMap(
      kind,
      sampleEcsInputs(perKind, options.seed, { ...NO_KINDS, [kind]: 1 }),
      options,
    ),
  );
  return {
    benchmark: 'ecs-event-mapper',
    seed: options.seed,
    rounds: options.rounds,
    mix: LIVE_TRAFFIC_MIX,
    overall,
    byKind,
    target: 1.5,
  };
}

function parseVersusMap(
  workload: string,
  inputs: Record<string, unknown>[],
  options: Options,
): ParseVersusMap {
  const lines = inputs.map((input) => JSON.stringify(input));
  const [parse, parseAndMap] = measure(
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
    workload,
    events: lines.length,
    meanBytes: Math.round(
      lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0) / lines.length,
    ),
    parsePerSecond: parse?.itemsPerSecond ?? NaN,
    parseAndMapPerSecond: parseAndMap?.itemsPerSecond ?? NaN,
    ratio: parseAndMap?.ratioToBaseline ?? NaN,
  };
}
