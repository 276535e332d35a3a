import type { IncidentMessage } from './incident';
import type { NotifierItem, Signal } from './items';
import type { NotifyConfig } from './notify-config';

/** What applying a signal changed: the new item, its messages, follow-up signals for other items. */
export interface Applied {
  item: NotifierItem;
  messages: IncidentMessage[];
  signals: Signal[];
}

/** Applies one signal to its item (undefined: the item does not exist yet); undefined when nothing changes. */
export function applySignal(
  item: NotifierItem | undefined,
  signal: Signal,
  config: NotifyConfig,
  now: string,
): Applied | undefined {
  void item;
  void signal;
  void config;
  void now;
  return undefined;
}
