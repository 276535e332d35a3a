/**
 * @ecslog/incidents — failures grouped into incidents, pure: what a stored record signals
 * ({@link signalsOfRecord}), how a signal changes an item ({@link applySignal}), what the clock
 * signals ({@link tickSignals}), learnt cadences, filters and mutes, and the messages' renderings.
 *
 * @example
 * import { applySignal, DEFAULT_NOTIFY_CONFIG, signalsOfRecord } from '@ecslog/incidents';
 * for (const signal of signalsOfRecord(record, DEFAULT_NOTIFY_CONFIG)) {
 *   const applied = applySignal(await read(signal.target), signal, DEFAULT_NOTIFY_CONFIG, now);
 *   if (applied) await write(applied.item, applied.messages);
 * }
 */
export * from './incident';
export * from './notify-config';
export * from './items';
export * from './signals-of-record';
export * from './apply-signal';
export * from './tick-signals';
export * from './mutes';
export * from './cadence';
export * from './message-facts';
export * from './render';
