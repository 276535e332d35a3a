import type { NotifierItem, Signal } from './items';
import type { NotifyConfig } from './notify-config';

/** The clock's signals for the current items. */
export function tickSignals(
  items: readonly NotifierItem[],
  runningByGroup: ReadonlyMap<string, number>,
  config: NotifyConfig,
  now: string,
): Signal[] {
  void items;
  void runningByGroup;
  void config;
  void now;
  return [];
}
