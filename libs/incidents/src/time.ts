/** Minutes from `from` to `to` (ISO-8601 instants); negative when `to` is earlier. */
export function minutesBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 60_000;
}

/** The instant `minutes` after `at`, ISO-8601 UTC with milliseconds. */
export function addMinutes(at: string, minutes: number): string {
  return new Date(Date.parse(at) + minutes * 60_000).toISOString();
}
