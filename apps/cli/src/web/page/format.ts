/** Times in the page: the browser's local time, its zone named once in the header. */
import { formatTime, zoneName } from '../../output/time-format';

export function formatLocalTime(ms: number | string | undefined): string {
  if (ms === undefined) return '-';
  return formatTime(typeof ms === 'number' ? new Date(ms).toISOString() : ms, { utc: false });
}

export function localZone(): string {
  return zoneName({ utc: false });
}
