import { progressLine, renderSummary } from './backfill-report';
import { emptyTally } from './backfill-tally';

describe('progressLine', () => {
  it('shows counts, the rate, and an ETA when the number of chunks is known', () => {
    const tally = {
      ...emptyTally(),
      chunks: 25,
      read: 10_000,
      mapped: 3_000,
      written: 2_900,
      alreadyPresent: 100,
    };

    expect(progressLine({ tally, elapsedMs: 5_000, totalChunks: 100 })).toBe(
      '25/100 chunks · read 10,000 · mapped 3,000 · written 2,900 · already there 100 · 2,000 records/s · ETA 15s',
    );
    expect(progressLine({ tally, elapsedMs: 5_000 })).not.toContain('ETA');
  });
});

describe('renderSummary', () => {
  it('lists the counts, then calls by eventName and records by outcome, most first, and unreadable files', () => {
    const tally = {
      ...emptyTally(),
      read: 12,
      mapped: 3,
      byEventName: { StopTask: 1, RunTask: 2 },
      byOutcome: { 'failed: placement': 2, 'in-progress': 4 },
      unreadable: [{ name: 'logs/a.json.gz', problem: 'not gzip: incorrect header check' }],
    };

    const text = renderSummary({
      source: 'dir logs',
      sink: 'table t',
      dryRun: true,
      complete: false,
      seconds: 1.25,
      tally,
    });

    expect(text).toMatch(/^sink +table t \(dry run: nothing written\)$/m);
    expect(text).toMatch(/^status +stopped early: continue with --resume$/m);
    expect(text).toMatch(/^records read +12$/m);
    expect(text).toContain('mapped calls by eventName\n  RunTask   2\n  StopTask  1');
    expect(text).toContain(
      'audit records by outcome\n  in-progress        4\n  failed: placement  2',
    );
    expect(text).toContain('unreadable\n  logs/a.json.gz: not gzip: incorrect header check');
  });
});
