/**
 * Times and durations for people. Local time by default (the zone named in column headers),
 * UTC with `--utc`. Pure apart from the host's time zone, which `TZ` sets.
 */

export interface TimeStyle {
  utc: boolean;
}

/** `2026-11-20 03:00:05` in local time or UTC. */
export function formatTime(iso: string | undefined, style: TimeStyle): string {
  if (iso === undefined) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const [y, mo, d, h, mi, s] = style.utc
    ? [
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      ]
    : [
        date.getFullYear(),
        date.getMonth() + 1,
        date.getDate(),
        date.getHours(),
        date.getMinutes(),
        date.getSeconds(),
      ];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(s)}`;
}

/** The zone times are shown in, for headers: `UTC` or the host's IANA zone. */
export function zoneName(style: TimeStyle): string {
  return style.utc ? 'UTC' : (Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local');
}

/** `850ms`, `42s`, `3m05s`, `1h02m`, `2d03h`; `-` when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${two(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${two(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${two(hours % 24)}h`;
}
