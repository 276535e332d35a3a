/**
 * `npm run bench [-- --json] [-- --events N --rounds N --seed N]`: every benchmark, each against
 * a baseline measured in the same run, as a table (default) or one JSON document (--json).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
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
  const rows = mapper.measurements.map((m) => [
    m.name,
    Math.round(m.itemsPerSecond).toLocaleString('en-US'),
    m.medianMs.toFixed(1),
    m.ratioToBaseline.toFixed(2),
  ]);
  const header = ['ecs-event-mapper', 'events/s', 'ms/round', 'ratio'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(
    `${mapper.events} events (${(mapper.bytes / 1e6).toFixed(1)} MB, ${Math.round(mapper.taskStateChangeShare * 100)}% task state changes), seed ${mapper.seed}, median of ${mapper.rounds} rounds, Node ${process.version}`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const verdict = mapper.ratio <= mapper.target ? 'within' : 'OVER';
  console.log(
    `mapping costs ${Math.round((mapper.ratio - 1) * 100)}% on top of parsing (ratio ${mapper.ratio.toFixed(2)}, ${verdict} the ${mapper.target} target)`,
  );
}
