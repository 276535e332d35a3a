import type { TimelineRun } from '@ecslog/task-runs';
import { describeRunSpan } from './run-span';

type Span = Parameters<typeof describeRunSpan>[0];
const asIs = (iso: string) => iso;
/** A run inside the window that stopped, as toTimeline tells it; each example changes a field or two. */
const STOPPED: Span = {
  runEnd: 'stopped',
  startTime: '2026-11-20T03:00:05.123Z',
  endTime: '2026-11-20T09:15:06.587Z',
  open: false,
  continuesBefore: false,
  continuesAfter: false,
};

describe('describeRunSpan', () => {
  it('says a run inside the window stopped, when', () => {
    expect(describeRunSpan(STOPPED, asIs)).toBe('Stopped at 2026-11-20T09:15:06.587Z');
  });

  it('says a run clipped on both sides started before the window and continues after it', () => {
    expect(describeRunSpan({ ...STOPPED, continuesBefore: true, continuesAfter: true }, asIs)).toBe(
      'Started before the window, 2026-11-20T03:00:05.123Z · stopped at 2026-11-20T09:15:06.587Z · continues after the window',
    );
  });

  it('says a run still open is still running, not that it continues after the window', () => {
    const open: Span = {
      ...STOPPED,
      runEnd: 'open',
      endTime: undefined,
      open: true,
      continuesBefore: true,
      continuesAfter: true,
    };

    expect(describeRunSpan(open, asIs)).toBe(
      'Started before the window, 2026-11-20T03:00:05.123Z · still running',
    );
  });

  it('says who closed a run, when and why', () => {
    const closed: Span = {
      ...STOPPED,
      runEnd: 'closed',
      endTime: '2026-11-20T07:00:00.000Z',
      closure: { at: '2026-11-20T07:00:00.000Z', reason: 'task not found in ECS' },
    };

    expect(describeRunSpan(closed, asIs)).toBe(
      'Closed by a later writer at 2026-11-20T07:00:00.000Z: task not found in ECS',
    );
  });

  it('says a run known only by its start call has no recorded end, and a failed launch never started', () => {
    const mark = (runEnd: TimelineRun['runEnd']): Span => ({
      ...STOPPED,
      runEnd,
      endTime: undefined,
    });

    expect(describeRunSpan(mark('not-recorded'), asIs)).toBe(
      'End not recorded: only the call that started it is known',
    );
    expect(describeRunSpan(mark('not-started'), asIs)).toBe('Never started');
  });
});
