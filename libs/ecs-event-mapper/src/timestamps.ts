/**
 * Tolerant timestamp parsing. ECS events carry ISO-8601 strings; CloudTrail may nest
 * SDK-rendered dates ("Nov 20, 2026, 3:00:05 AM") or epoch numbers. Everything comes out as
 * ISO-8601 UTC with milliseconds, or `undefined` when the value is not a timestamp.
 * Zone-less values are read as UTC (AWS never renders local time), never in the host's zone.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTH_DAY_YEAR =
  /^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?(?:\s*(?:UTC|GMT|Z))?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;
/** 9999-12-31T23:59:59.999Z: later instants have no four-digit ISO year. */
const MAX_EPOCH_MS = 253_402_300_799_999;

/** Parses an ISO string, an SDK-style "Mon D, YYYY, h:mm:ss AM" string or epoch seconds/ms. */
export function parseTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  // Hot path: ECS sends UTC ISO (`2026-11-20T03:00:05.123Z`, envelopes `…05Z`).
  const fast = utcIsoFast(value);
  if (fast !== undefined) return fast;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const iso = ISO.exec(text);
  if (iso) return fromIso(iso);
  const mdy = MONTH_DAY_YEAR.exec(text);
  if (mdy) return fromMonthDayYear(mdy);
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:mm:ss[.f…]Z` as canonical ISO (fraction cut to milliseconds), or undefined
 * when the text has another form or is not a real UTC instant (then the general parser decides).
 */
function utcIsoFast(text: string): string | undefined {
  const length = text.length;
  if (length < 20 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  let canonical: string;
  if (length === 24) canonical = text;
  else if (length === 20) canonical = `${text.slice(0, 19)}.000Z`;
  else if (text[19] === '.' && length > 21)
    canonical = `${text.slice(0, 19)}.${text.slice(20, 23).padEnd(3, '0')}Z`;
  else return undefined;
  if (length > 24 && !allDigits(text, 23, length - 1)) return undefined;
  return isCanonicalIso(canonical) ? canonical : undefined;
}

function allDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

/**
 * Epoch ms of a timestamp in exactly the canonical form `YYYY-MM-DDTHH:mm:ss.sssZ` (what
 * `toISOString` writes, years 1970–9999) with a real calendar date, else NaN. Reads digits
 * directly: several times cheaper than a regular expression plus `Date` formatting.
 */
export function canonicalIsoMs(text: string): number {
  return readCanonicalIso(text, true);
}

/** True when `text` is canonical ISO with a real calendar date (see {@link canonicalIsoMs}). */
function isCanonicalIso(text: string): boolean {
  return readCanonicalIso(text, false) === 0;
}

/** Validates canonical ISO; returns NaN if invalid, else its epoch ms (or 0 when not `withMs`). */
function readCanonicalIso(text: string, withMs: boolean): number {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */) return NaN;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.'
  ) {
    return NaN;
  }
  // digitsAt gives NaN for a non-digit, and every comparison with NaN is false.
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const ms = digitsAt(text, 20, 3);
  if (!(
    year >= 1970 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    ms >= 0
  )) {
    return NaN;
  }
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return NaN;
  return withMs ? Date.UTC(year, month - 1, day, hour, minute, second, ms) : 0;
}

/** The decimal number in `text[from, from + length)`, or NaN if any character is not a digit. */
function digitsAt(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Epoch seconds or milliseconds (told apart by size) as ISO. */
function fromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return fromEpochMs(n < SECONDS_LIMIT ? Math.round(n * 1000) : Math.round(n));
}

function fromEpochMs(ms: number): string | undefined {
  return ms >= 0 && ms <= MAX_EPOCH_MS ? new Date(ms).toISOString() : undefined;
}

function fromIso(m: RegExpExecArray): string | undefined {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  const offset = zoneOffsetMs(zone);
  if (local === undefined || offset === undefined) return undefined;
  return fromEpochMs(local - offset);
}

/**
 * Why `value` is not a timestamp, when that can be said more precisely than "not a timestamp":
 * an ISO time whose zone offset no zone has (`+99:99`, `+24:00`, minutes 60 or more). For a
 * problem message; undefined otherwise.
 *
 * @example
 * impossibleTimestampReason('2026-11-20T03:00:05+99:99');
 * // 'its zone offset +99:99 is impossible (hours 00-23, minutes 00-59)'
 */
export function impossibleTimestampReason(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const zone = ISO.exec(value.trim())?.[8];
  return zone !== undefined && zoneOffsetMs(zone) === undefined
    ? `its zone offset ${zone} is impossible (hours 00-23, minutes 00-59)`
    : undefined;
}

function fromMonthDayYear(m: RegExpExecArray): string | undefined {
  const [, monthName = '', d, y, h, mi, s = '0', meridiem] = m;
  const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  let hour = Number(h);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = meridiem.toLowerCase() === 'pm';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const t = utc(Number(y), month, Number(d), hour, Number(mi), Number(s), 0);
  return t === undefined ? undefined : new Date(t).toISOString();
}

/** Epoch ms of a UTC calendar time, or undefined if any part is out of range (no rollover). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  return new Date(t).getUTCDate() === d ? t : undefined;
}

/**
 * The zone offset in ms, or undefined when no zone could have it: RFC 3339 offsets have hours
 * 00–23 and minutes 00–59 (`+24:00` and `+05:60` would silently move the instant by a day or
 * an hour).
 */
function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}
