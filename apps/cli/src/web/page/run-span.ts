/**
 * A run's explicit end, and how it lies against the window, in words for its details: "Started
 * before the window, … · still running", "Stopped at … · continues after the window", "Closed by a
 * later writer at …: task not found in ECS", "End not recorded: …". Pure: times are formatted by
 * `formatTime`.
 */
import type { TimelineRun } from '@ecslog/task-runs';

export function describeRunSpan(
  run: Pick<
    TimelineRun,
    'runEnd' | 'startTime' | 'endTime' | 'closure' | 'open' | 'continuesBefore' | 'continuesAfter'
  >,
  formatTime: (iso: string) => string,
): string {
  const at = run.endTime === undefined ? '' : ` at ${formatTime(run.endTime)}`;
  const ended = {
    open: 'still running',
    stopped: `stopped${at}`,
    'not-started': 'never started',
    'not-recorded': 'end not recorded: only the call that started it is known',
    closed: `closed by a later writer${at}${run.closure ? `: ${run.closure.reason}` : ''}`,
  }[run.runEnd];
  const text = [
    run.continuesBefore ? `started before the window, ${formatTime(run.startTime)}` : '',
    ended,
    run.continuesAfter && !run.open ? 'continues after the window' : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
