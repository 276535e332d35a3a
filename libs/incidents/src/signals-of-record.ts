import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Signal } from './items';
import type { NotifyConfig } from './notify-config';

/** What one stored record says to the notifier's items (pure, no clock). */
export function signalsOfRecord(record: AuditRecord, config: NotifyConfig): Signal[] {
  void record;
  void config;
  return [];
}
