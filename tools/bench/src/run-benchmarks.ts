/**
 * `npm run bench [-- --json] [-- --events N --rounds N --seed N]`: every benchmark, each against
 * a baseline measured in the same run, as tables (default) or one JSON document (--json).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ParseVersusMap } from './mapper-benchmark';
import { runMapperBenchmark } from './mapper-benchmark';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '9' },
    seed: { type: 'string', default: '42' },
  },
});

const mapper = runMapperBenchmark({
  events: Number(values.events),
  rounds: Number(values.rounds),
  seed: Number(values.seed),
  now: () => performance.now(),
});

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ node: process.version, results: [mapper] }, null, 2)}\n`,
  );
} else {
  const mix = Object.entries(mapper.mix)
    .map(([kind, weight]) => `${kind} ${weight}%`)
    .join(', ');
  console.log(
    `ecs-event-mapper — JSON.parse vs JSON.parse + mapEvent, median of ${mapper.rounds} rounds, seed ${mapper.seed}, Node ${process.version}`,
  );
  console.log(`live-traffic mix: ${mix}`);
  const rows = [mapper.overall, ...mapper.byKind].map(row);
  const header = [
    'workload',
    'events',
    'bytes/event',
    'parse events/s',
    'parse+map events/s',
    'ratio',
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(header));
  for (const cells of rows) console.log(line(cells));
  const { ratio } = mapper.overall;
  const verdict = ratio <= mapper.target ? 'within' : 'OVER';
  console.log(
    `live-traffic mix: mapping costs ${Math.round((ratio - 1) * 100)}% on top of parsing (ratio ${ratio.toFixed(2)}, ${verdict} the ${mapper.target} target)`,
  );
}

function row(result: ParseVersusMap): string[] {
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    result.workload,
    String(result.events),
    String(result.meanBytes),
    rate(result.parsePerSecond),
    rate(result.parseAndMapPerSecond),
    result.ratio.toFixed(2),
  ];
}
