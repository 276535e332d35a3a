/**
 * The incidents the simulated day opens, through the pure core of `@ecslog/incidents` (no store):
 * every record in delivery order (duplicates and swaps included: the core counts each once), then
 * the clock's check once at the end of the day, with the services' open runs then — what local
 * mode does. They must be `expected.incidents`, resolved or open, for every seed.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { NotifierItem, Signal } from '@ecslog/incidents';
import {
  applySignal,
  DEFAULT_NOTIFY_CONFIG,
  signalsOfRecord,
  tickSignals,
} from '@ecslog/incidents';
import { toTaskRuns } from '@ecslog/task-runs';
import { simulateDay } from './simulate-day';

const SEEDS = [1, 42, 20261120];
const START = '2026-11-20T00:00:00.000Z';
const END = '2026-11-21T00:00:00.000Z';

function incidentsOfDay(seed: number) {
  const day = simulateDay({ seed, start: START });
  const records: AuditRecord[] = day.events.flatMap((event) => {
    const result = mapEvent(event);
    return result.kind === 'mapped' ? result.records : [];
  });
  const items = new Map<string, NotifierItem>();
  const opened: string[] = [];
  const apply = (signals: readonly Signal[], now: string) => {
    const queue = [...signals];
    for (let signal = queue.shift(); signal !== undefined; signal = queue.shift()) {
      const key = `${signal.target.kind}:${signal.target.id}`;
      const applied = applySignal(items.get(key), signal, DEFAULT_NOTIFY_CONFIG, now);
      if (applied === undefined) continue;
      items.set(key, applied.item);
      for (const message of applied.messages)
        if (message.kind === 'opened') opened.push(message.incident.id);
      queue.push(...applied.signals);
    }
  };
  for (const record of records)
    apply(signalsOfRecord(record, DEFAULT_NOTIFY_CONFIG), record.eventTime);
  const running = new Map<string, number>();
  for (const run of toTaskRuns(records))
    if (run.end === 'open' && run.record.group !== undefined) {
      const key = `${run.record.clusterArn}#${run.record.group}`;
      running.set(key, (running.get(key) ?? 0) + 1);
    }
  apply(tickSignals([...items.values()], running, DEFAULT_NOTIFY_CONFIG, END), END);
  const incidents = [...items.values()].flatMap((item) =>
    item.kind === 'incident' ? [item.incident] : [],
  );
  return { day, incidents, opened };
}

describe.each(SEEDS)('the simulated day’s incidents (seed %i)', (seed) => {
  const { day, incidents, opened } = incidentsOfDay(seed);

  it('are the ones it was built with, resolved or open', () => {
    const key = (i: { cluster: string; group: string; kind: string; category?: string }) =>
      `${i.cluster} ${i.group} ${i.kind}${i.category ? ` ${i.category}` : ''}`;

    expect(
      incidents
        .map((i) => ({
          key: key({ ...i.key, cluster: i.key.clusterName }),
          resolved: i.status === 'resolved',
        }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    ).toEqual(
      day.expected.incidents
        .map((i) => ({ key: key(i), resolved: i.resolved }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
  });

  it('opens each once, in one episode, although some events come twice and out of order', () => {
    expect(opened.length).toBe(incidents.length);
    expect(new Set(opened).size).toBe(opened.length);
    expect(incidents.every((i) => i.episode === 1)).toBe(true);
  });
});
