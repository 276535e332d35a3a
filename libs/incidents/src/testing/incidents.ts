/** Incidents and messages made the real way (through applySignal), for this library's tests. */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { applySignal } from '../apply-signal';
import type { Incident, IncidentMessage } from '../incident';
import { DEFAULT_NOTIFY_CONFIG } from '../notify-config';
import { signalsOfRecord } from '../signals-of-record';

/** The incident a record's failure opens. */
export function failureOfRecord(record: AuditRecord): Incident {
  return openedBy(record).incident;
}

/** The opened message of a record's failure. */
export function openedBy(record: AuditRecord): IncidentMessage {
  const signal = signalsOfRecord(record, DEFAULT_NOTIFY_CONFIG).find((s) => s.type === 'failure');
  const applied = signal && applySignal(undefined, signal, DEFAULT_NOTIFY_CONFIG, record.eventTime);
  const message = applied?.messages[0];
  if (message === undefined) throw new Error(`${record.recordId} opens no incident`);
  return message;
}
