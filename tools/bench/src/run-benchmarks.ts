/**
 * `npm run bench [-- --json] [-- --only mapper|store|transform|backfill|ui|incidents|cli] [-- --events N --store-events N --incidents-events N --rounds N --seed N]`:
 * every benchmark, each against a baseline measured in the same run, as tables (default) or one
 * JSON document (--json). `--rounds` defaults to 9, and to 5 for `ui` (each round navigates to the
 * web view in headless Chromium).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { BackfillBenchmarkResult } from './backfill-benchmark';
import { runBackfillBenchmark } from './backfill-benchmark';
import type { CliBenchmarkResult } from './cli-benchmark';
import { runCliBenchmark } from './cli-benchmark';
import type { IncidentsBenchmarkResult } from './incidents-benchmark';
import { runIncidentsBenchmarks } from './incidents-benchmark';
import type { MapperBenchmarkResult, ParseVersusMap } from './mapper-benchmark';
import { runMapperBenchmark } from './mapper-benchmark';
import type { StoreBenchmarkResult } from './store-benchmark';
import { runStoreBenchmark } from './store-benchmark';
import type { TransformBenchmarkResult } from './transform-benchmark';
import { runTransformBenchmark } from './transform-benchmark';
import type { UiBenchmarkResult, UiView } from './ui-benchmark';
import { runUiBenchmark } from './ui-benchmark';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    events: { type: 'string', default: '20000' },
    'store-events': { type: 'string', default: '10000' },
    'incidents-events': { type: 'string', default: '10000' },
    rounds: { type: 'string' },
    seed: { type: 'string', default: '42' },
  },
});

const now = () => performance.now();
const wanted = (name: string) => values.only === undefined || values.only === name;
if (
  values.only !== undefined &&
  !['mapper', 'store', 'transform', 'backfill', 'ui', 'incidents', 'cli'].includes(values.only)
) {
  console.error(
    `bench: --only must be mapper, store, transform, backfill, ui, incidents or cli, got ${values.only}`,
  );
  process.exit(2);
}

async function main() {
  const results: (
    | MapperBenchmarkResult
    | StoreBenchmarkResult
    | TransformBenchmarkResult
    | BackfillBenchmarkResult
    | UiBenchmarkResult
    | IncidentsBenchmarkResult
    | CliBenchmarkResult
  )[] = [];
  if (wanted('mapper')) {
    const mapper = runMapperBenchmark({
      events: Number(values.events),
      rounds: Number(values.rounds ?? 9),
      seed: Number(values.seed),
      now,
    });
    results.push(mapper);
    if (!values.json) printMapper(mapper);
  }
  if (wanted('store')) {
    const store = await runStoreBenchmark({
      events: Number(values['store-events']),
      seed: Number(values.seed),
      now,
    });
    results.push(store);
    if (!values.json) printStore(store);
  }
  if (wanted('transform')) {
    const transform = await runTransformBenchmark({
      seed: Number(values.seed),
      rounds: Number(values.rounds ?? 9),
      now,
    });
    results.push(transform);
    if (!values.json) printTransform(transform);
  }
  if (wanted('backfill')) {
    const backfill = runBackfillBenchmark();
    results.push(backfill);
    if (!values.json) printBackfill(backfill);
  }
  if (wanted('ui')) {
    const ui = await runUiBenchmark({
      seed: Number(values.seed),
      rounds: Number(values.rounds ?? 5),
      now,
    });
    results.push(ui);
    if (!values.json) printUi(ui);
  }
  if (wanted('incidents')) {
    const incidents = await runIncidentsBenchmarks({
      events: Number(values['incidents-events']),
      seed: Number(values.seed),
    });
    results.push(...incidents);
    if (!values.json) incidents.forEach(printIncidents);
  }
  if (wanted('cli')) {
    const cli = runCliBenchmark({ rounds: Number(values.rounds ?? 9) });
    results.push(cli);
    if (!values.json) printCli(cli);
  }
  if (values.json)
    process.stdout.write(`${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
}

function printMapper(mapper: MapperBenchmarkResult) {
  const mix = Object.entries(mapper.mix)
    .map(([kind, weight]) => `${kind} ${weight}%`)
    .join(', ');
  console.log(
    `ecs-event-mapper — JSON.parse vs JSON.parse + mapEvent, median of ${mapper.rounds} rounds, seed ${mapper.seed}, Node ${process.version}`,
  );
  console.log(`live-traffic mix: ${mix}`);
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const row = (r: ParseVersusMap) => [
    r.workload,
    String(r.events),
    String(r.meanBytes),
    rate(r.parsePerSecond),
    rate(r.parseAndMapPerSecond),
    r.ratio.toFixed(2),
  ];
  printTable(
    ['workload', 'events', 'bytes/event', 'parse events/s', 'parse+map events/s', 'ratio'],
    [mapper.overall, ...mapper.byKind].map(row),
  );
  const { ratio } = mapper.overall;
  const verdict = ratio <= mapper.target ? 'within' : 'OVER';
  console.log(
    `live-traffic mix: mapping costs ${Math.round((ratio - 1) * 100)}% on top of parsing (ratio ${ratio.toFixed(2)}, ${verdict} the ${mapper.target} target)\n`,
  );
}

function printStore(store: StoreBenchmarkResult) {
  const { targets } = store;
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  const n = (value: number, digits = 2) => value.toFixed(digits);
  console.log(
    `audit-store — ${store.events} live-traffic events (${store.records} records, ${store.storedItems} stored items) into DynamoDB Local, fresh table per run`,
  );
  const rows = [store.original, store.ecslog, store.floor, store.statementsFloor].map((run) => [
    run.name,
    run.seconds.toFixed(2),
    Math.round(run.eventsPerSecond).toLocaleString('en-US'),
  ]);
  printTable(['run', 'seconds', 'events/s'], rows);
  console.log(
    `b/a = ${n(store.speedupOverOriginal, 1)}× faster than the seed design (${verdict(store.speedupOverOriginal >= targets.speedupOverOriginal)} ≥ ${targets.speedupOverOriginal}×)`,
  );
  console.log(
    `b/c = ${n(store.slowdownOverFloor)}× the floor's time (${verdict(store.slowdownOverFloor <= targets.slowdownOverFloor)} ≤ ${targets.slowdownOverFloor}×)`,
  );
  console.log(
    `b/d = ${n(store.slowdownOverStatementsFloor)}× the floor of its own operations; d/c = ${n(store.statementsOverPuts)}×: what DynamoDB Local charges for the statements over plain puts of the same items`,
  );
  const requests = Object.entries(store.requests)
    .map(
      ([command, count]) =>
        `${count} ${command} (${store.operations[command] ?? 0} ${command === 'BatchExecuteStatement' ? 'statements' : 'items'})`,
    )
    .join(' + ');
  console.log(
    `requests per event (b): ${n(store.requestsPerEvent, 3)} = ${requests} for ${store.events} events (${verdict(store.requestsPerEvent <= targets.requestsPerEvent)} ≤ ${targets.requestsPerEvent})`,
  );
  console.log(
    `mean ms per request (b, overlapping): ${Object.entries(store.meanRequestMilliseconds)
      .map(([command, ms]) => `${command} ${n(ms, 1)}`)
      .join(', ')}`,
  );
  const units = store.writeUnits;
  const parts = [
    ...Object.entries(units.tableByKind)
      .filter(([, value]) => value > 0)
      .map(([kind, value]) => `${kind} ${n(value)}`),
    ...Object.entries(units.byIndex).map(([index, value]) => `index ${index} ${n(value)}`),
    `failed conditions ${n(units.failedConditions.unitsPerEvent)}`,
  ];
  console.log(
    `write units per event: ${n(store.writeUnitsPerEvent)} (${verdict(store.writeUnitsPerEvent <= targets.writeUnitsPerEvent)} ≤ ${targets.writeUnitsPerEvent}) = ${parts.join(' + ')}`,
  );
  console.log(
    `  measured: ${units.method}; ${n(units.reportedPerEvent)} reported by DynamoDB Local + ${units.failedConditions.count} failed conditions (${units.failedConditions.rule}); that run sent ${n(units.requestsPerEvent, 3)} requests per event in ${n(units.seconds)} s`,
  );
  printTable(
    ['read (runsDuring)', 'window', 'runs', 'items read', 'items/run', 'ms', 'equals model'],
    store.reads.map((read) => [
      read.name,
      read.window.from === read.window.to
        ? read.window.from
        : `${read.window.from} .. ${read.window.to}`,
      String(read.runs),
      String(read.itemsRead),
      n(read.itemsReadPerRun),
      String(Math.round(read.milliseconds)),
      read.matchesModel ? 'yes' : `NO (${read.missing} missing, ${read.extra} extra)`,
    ]),
  );
  for (const read of store.reads)
    console.log(
      `  ${read.name}: items read by partition: ${Object.entries(read.itemsReadBy)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ')}`,
    );
  console.log(
    `items read per run: at most ${n(store.maxItemsReadPerRun)} (${verdict(store.maxItemsReadPerRun <= targets.itemsReadPerRun)} ≤ ${targets.itemsReadPerRun}); mean history item ${store.meanHistoryItemBytes} bytes\n`,
  );
  printTable(
    ['lookup', 'queries', 'runs', 'items read', 'ms per query', 'equals model'],
    store.lookups.map((lookup) => [
      lookup.name,
      String(lookup.queries),
      String(lookup.runs),
      String(lookup.itemsRead),
      n(lookup.milliseconds, 1),
      lookup.mismatches === 0 ? 'yes' : `NO (${lookup.mismatches} answers differ)`,
    ]),
  );
}

function printTransform(transform: TransformBenchmarkResult) {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(
    `firehose-transform — one Firehose invocation of ${n(transform.records)} live-traffic events (${n(transform.requestBytes)} bytes of request JSON), the bundled handler, median of ${transform.rounds} rounds, seed ${transform.seed}`,
  );
  console.log(
    `response: ${n(transform.responseBytes)} bytes; ${transform.ok} Ok (${transform.rows} rows), ${transform.dropped} Dropped, ${transform.failed} ProcessingFailed`,
  );
  printTable(
    ['run', 'records/s'],
    [
      [
        'floor: base64 decode + JSON.parse + JSON.stringify + base64 encode',
        n(transform.floorRecordsPerSecond),
      ],
      ['transform: the handler on the whole invocation', n(transform.transformRecordsPerSecond)],
      [
        'lean floor: the same, reusing one buffer as the transform does',
        n(transform.leanFloorRecordsPerSecond),
      ],
    ],
  );
  const verdict = transform.percentOfFloor >= transform.target ? 'meets' : 'MISSES';
  console.log(
    `transform/floor = ${transform.percentOfFloor.toFixed(1)}% of the floor's throughput (${verdict} ≥ ${transform.target}%); ${transform.percentOfLeanFloor.toFixed(1)}% of the lean floor's\n`,
  );
}

function printUi(ui: UiBenchmarkResult) {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const ms = (median: number, min?: number) =>
    min === undefined ? n(median) : `${n(median)} (${n(min)})`;
  console.log(
    `\nweb view — navigation → timeline rendered, headless ${ui.browser} at ${ui.viewport.width}×${ui.viewport.height}, median (min) of ${ui.rounds} rounds after a warm-up, seed ${ui.seed}`,
  );
  console.log(
    `store: ${n(ui.events)} events of ${ui.copies} simulated days (one seed each, clusters renamed) on ${ui.day.from.slice(0, 10)}, ` +
      (ui.store.loadSeconds === undefined
        ? `reused from ${ui.store.home}`
        : `written by the store's writer in ${ui.store.loadSeconds.toFixed(1)} s into ${ui.store.home}`) +
      ` (table layout ${ui.store.layout}); a view shows every run active at any moment of its window`,
  );
  const row = (view: UiView) => [
    view.name,
    n(view.runs),
    n(view.rows),
    `${(view.responseBytes / 1e6).toFixed(2)}`,
    ms(view.fetchStartMedianMs),
    ms(view.responseEndMedianMs, view.responseEndMinMs),
    ms(view.pageServerMedianMs),
    ms(view.renderMedianMs, view.renderMinMs),
    ms(view.medianMs, view.minMs),
    ms(view.coldServerMs),
    ms(view.serverMedianMs),
    n(view.itemsRead),
    view.itemsReadPerRun.toFixed(2),
  ];
  printTable(
    [
      'view',
      'runs',
      'rows',
      'API MB',
      'fetch starts ms',
      'API responseEnd ms',
      'its server ms',
      'render ms',
      'rendered ms',
      'API cold ms',
      'API from Node ms',
      'items read (cold)',
      'items/run',
    ],
    [ui.baseline, ui.full].map(row),
  );
  for (const view of [ui.baseline, ui.full]) console.log(`${view.name}: ${view.query}`);
  for (const view of [ui.baseline, ui.full])
    console.log(
      `${view.name}, rendered ms by round: ${view.samples.map((s) => n(s.renderedMs)).join(', ')}`,
    );
  for (const view of [ui.baseline, ui.full])
    if (view.runs !== view.expectedRuns)
      console.log(
        `${view.name}: the page shows ${view.runs} runs, ${view.expectedRuns} active in the view by the store's model`,
      );
  console.log(
    `full/baseline = ${ui.ratio.toFixed(1)}× the time for ${(ui.full.runs / ui.baseline.runs).toFixed(0)}× the runs (API responseEnd ${ui.responseEndRatio.toFixed(1)}×, render ${ui.renderRatio.toFixed(1)}×)`,
  );
  console.log(
    `${n(ui.full.runs)} runs rendered in ${n(ui.full.medianMs)} ms (median): target < ${n(ui.targetMs)} ms: ${ui.meetsTarget ? 'met' : 'missed'}; ` +
      `the API from Node in ${n(ui.apiMs)} ms (read cache warm; cold ${n(ui.coldApiMs)} ms): target < ${n(ui.apiTargetMs)} ms: ${ui.meetsApiTarget ? 'met' : 'missed'}; ` +
      `${ui.readsPerRun.toFixed(2)} items read per run shown (issue 16: ≤ 1.5)\n`,
  );
}

function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(header));
  for (const cells of rows) console.log(line(cells));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

function printBackfill({ lookup, logFiles }: BackfillBenchmarkResult) {
  const pct = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
  process.stdout.write(
    `\nbackfill — LookupEvents against the local server enforcing 2 requests/s, full pages of 50\n` +
      `${JSON.stringify(lookup)}\n` +
      `lookup: ${lookup.eventsPerSecond.toFixed(1)} events/s = ${pct(lookup.fractionOfCeiling)} of the ${lookup.ceiling} events/s ceiling (${lookup.fractionOfCeiling >= 0.95 ? 'meets' : 'MISSES'} ≥ 95%)\n` +
      `\nbackfill — CloudTrail log files from a folder vs the floor (gunzip + JSON.parse alone, same files)\n` +
      `${JSON.stringify(logFiles)}\n` +
      `log files: ${pct(logFiles.fractionOfFloor)} of the floor (${logFiles.fractionOfFloor >= 0.5 ? 'meets' : 'MISSES'} ≥ 50%)\n`,
  );
}

function printIncidents(result: IncidentsBenchmarkResult) {
  const fixed = (value: number, digits = 3) => value.toFixed(digits);
  console.log(
    `\nincidents, ${result.mix} mix (${result.server}): ${result.events} events, ${result.records} records, ${result.writtenRecords} written`,
  );
  console.log(
    `  write units per event: notifier ${fixed(result.notifierWriteUnitsPerEvent)} against the writer's ${fixed(result.writerWriteUnitsPerEvent)} (ratio ${fixed(result.writeUnitsRatio)})`,
  );
  console.log(
    `  notifier write units per event by item: ${JSON.stringify(Object.fromEntries(Object.entries(result.notifierWriteUnitsByItem).map(([k, v]) => [k, Number(v.toFixed(4))])))}`,
  );
  console.log(
    `  read units per event: ${fixed(result.notifierReadUnitsPerEvent)}; requests per event: ${JSON.stringify(Object.fromEntries(Object.entries(result.notifierRequestsPerEvent).map(([k, v]) => [k, Number(v.toFixed(4))])))}`,
  );
  console.log(
    `  time per event: notifier ${fixed(result.notifierMsPerEvent)} ms against the writer's ${fixed(result.writerMsPerEvent)} ms`,
  );
  console.log(
    `  per million events: ${Math.round(result.perMillionEvents.writeUnits)} write units, ${Math.round(result.perMillionEvents.readUnits)} read units, ${fixed(result.perMillionEvents.lambdaGbSeconds, 1)} Lambda GB-s`,
  );
  console.log(
    `  told: ${JSON.stringify(result.told.messages)} for ${result.failedRunsInMix} failed runs (${fixed(result.messagesPerFailedRun)} messages per failed run); incidents ${JSON.stringify(result.told.incidents)}`,
  );
  console.log(
    `  one tick: ${JSON.stringify(result.tick.requests)}, ${result.tick.itemsRead} items read, ${Math.round(result.tick.milliseconds)} ms`,
  );
  console.log(`  method: ${result.method}`);
}

function printCli(result: CliBenchmarkResult) {
  console.log(
    `\ncli start-up (median of ${result.rounds}): node -e 0 ${Math.round(result.nodeMs)} ms, node + SDK modules ${Math.round(result.nodeWithSdkMs)} ms`,
  );
  for (const command of result.commands)
    console.log(
      `  ${command.name}: ${Math.round(command.medianMs)} ms, ${command.ratio.toFixed(2)}× ${command.baseline} (target ≤ 1.5×)`,
    );
}
