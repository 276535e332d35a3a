import fc from 'fast-check';
import { OUTCOME_FILTERS, parseStatusFilter } from '@ecslog/task-runs';
import { BadTimeRangeError, timeRangeOf } from '../query/time-range';
import { BadRequestError, DEFAULT_SINCE, timelineRequestOf } from './timeline-request';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const HOUR = 3_600_000;

/** The request a page URL's query string makes, at NOW. */
const requestOf = (query: string) => timelineRequestOf(new URLSearchParams(query), NOW);
/** The BadRequestError a query string gets (fails the test when it gets none, or another error). */
function rejectionOf(query: string): BadRequestError {
  try {
    requestOf(query);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error(`"${query}" was accepted`);
}

describe('timelineRequestOf: defaults and ranges', () => {
  it('shows the last 24 hours of everything when the URL names nothing', () => {
    expect(DEFAULT_SINCE).toBe('24h');
    expect(requestOf('')).toEqual({
      scope: { cluster: undefined, group: undefined },
      range: { from: '2026-11-23T12:00:00.000Z', to: '2026-11-24T12:00:00.000Z' },
      status: undefined,
    });
  });

  it('counts empty and blank values as absent', () => {
    expect(requestOf('cluster=&group=%20%20&status=&since=&from=&to=&at=')).toEqual(requestOf(''));
  });

  it('reads at as the instant [at, at], given as the CLI takes --at', () => {
    expect(requestOf('at=2026-11-20T03:12:00Z').range).toEqual({
      from: '2026-11-20T03:12:00.000Z',
      to: '2026-11-20T03:12:00.000Z',
    });
    expect(requestOf('at=2026-11-20T04:12:00%2B01:00').range.from).toBe('2026-11-20T03:12:00.000Z');
    expect(requestOf(`at=${Date.parse('2026-11-20T03:12:00Z')}`).range.to).toBe(
      '2026-11-20T03:12:00.000Z',
    );
  });

  it('reads since back from now', () => {
    expect(requestOf('since=6h').range).toEqual({
      from: '2026-11-24T06:00:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(requestOf('since=7d').range.from).toBe('2026-11-17T12:00:00.000Z');
  });

  it('reads from/to as given, from alone running to now, a bare to date as that whole day', () => {
    expect(requestOf('from=2026-11-20T03:00:00Z&to=2026-11-20T09:30:00Z').range).toEqual({
      from: '2026-11-20T03:00:00.000Z',
      to: '2026-11-20T09:30:00.000Z',
    });
    expect(requestOf('from=2026-11-22T00:00:00%2B01:00').range).toEqual({
      from: '2026-11-21T23:00:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(requestOf('from=2026-11-20&to=2026-11-20').range).toEqual({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-20T23:59:59.999Z',
    });
  });

  it("gives the CLI's range for any since, from and to, and rejects what the CLI rejects", () => {
    const text = fc.oneof(
      fc.constantFrom('90m', '6h', '24h', '3d', '400d', '0h', 'yesterday', ''),
      fc.constantFrom('2026-11-20', '2026-11-20T03:00:00Z', '1763607605000', '2027-01-01'),
      fc.string(),
    );
    const option = fc.option(text, { nil: undefined });
    const ranges = fc.oneof(
      fc.record({ since: text }),
      fc.record({ from: text }),
      fc.record({ from: text, to: text }),
      fc.record({ since: option, from: option, to: option }),
    );

    fc.assert(
      fc.property(ranges, (options: { since?: string; from?: string; to?: string }) => {
        const params = new URLSearchParams();
        for (const [name, value] of Object.entries(options))
          if (value !== undefined) params.set(name, value);
        const given = (value: string | undefined) =>
          value === undefined || value.trim() === '' ? undefined : value.trim();
        let expected: ReturnType<typeof timeRangeOf> | BadTimeRangeError;
        try {
          expected = timeRangeOf(
            { since: given(options.since), from: given(options.from), to: given(options.to) },
            DEFAULT_SINCE,
            NOW,
          );
        } catch (error) {
          if (!(error instanceof BadTimeRangeError)) throw error;
          expected = error;
        }

        if (expected instanceof BadTimeRangeError) {
          expect(() => timelineRequestOf(params, NOW)).toThrow(BadRequestError);
        } else {
          expect(timelineRequestOf(params, NOW).range).toEqual(expected);
        }
      }),
    );
  });
});

describe('timelineRequestOf: messages in the URL’s words', () => {
  it('names since, from and to without the command line’s dashes', () => {
    expect(rejectionOf('since=6h&from=2026-11-20').message).toBe(
      'use either since or from/to, not both',
    );
    expect(rejectionOf('to=2026-11-20').message).toBe('to needs from');
    expect(rejectionOf('since=yesterday').message).toBe(
      'since must be a positive duration such as 30m, 24h, 7d or 2w, got "yesterday"',
    );
    expect(rejectionOf('from=last%20tuesday').message).toBe(
      'from must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "last tuesday"',
    );
    expect(rejectionOf('from=2026-11-20T03:00:00%2B99:99').message).toBe(
      'from must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "2026-11-20T03:00:00+99:99": its zone offset +99:99 is impossible (hours 00-23, minutes 00-59)',
    );
    expect(rejectionOf('from=2026-11-20&to=2026-11-20T23:00:00%2B24:00').message).toMatch(
      /^to must be a time .*"2026-11-20T23:00:00\+24:00": its zone offset \+24:00 is impossible/,
    );
    expect(rejectionOf('from=2026-11-21&to=2026-11-20T12:00:00Z').message).toMatch(
      /^the range ends before it starts/,
    );
    expect(rejectionOf('since=400d').message).toMatch(/^the range spans \d+ days; at most \d+$/);
    expect(rejectionOf('at=2026-11-20&since=6h').message).toBe('use either at or since, not both');
    expect(rejectionOf('at=2026-11-20&from=2026-11-19&to=2026-11-21').message).toBe(
      'use either at or from, to, not both',
    );
    expect(rejectionOf('at=soon').message).toBe(
      'at must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "soon"',
    );
  });

  it('never tells a URL about --since, --from, --to or --at', () => {
    const anyText = fc.oneof(fc.string(), fc.constantFrom('0h', 'soon', '2026-13-40', '9999d'));

    fc.assert(
      fc.property(
        fc.record(
          { since: anyText, from: anyText, to: anyText, at: anyText },
          { requiredKeys: [], noNullPrototype: true },
        ),
        (options) => {
          try {
            timelineRequestOf(new URLSearchParams(options), NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(BadRequestError);
            expect((error as Error).message).not.toMatch(/--(since|from|to|at)\b/);
          }
        },
      ),
    );
  });
});

describe('timelineRequestOf: filters', () => {
  it('passes cluster and group on, trimmed', () => {
    expect(requestOf('cluster=%20prod-web%20&group=service:web').scope).toEqual({
      cluster: 'prod-web',
      group: 'service:web',
    });
    expect(requestOf('group=family%3Anightly-report').scope.group).toBe('family:nightly-report');
  });

  it('rejects a group that is not service:NAME or family:NAME, saying so', () => {
    for (const group of ['web', 'service:', 'task:web', 'Service:web', ' :web']) {
      const query = new URLSearchParams({ group }).toString();
      expect(rejectionOf(query).message).toBe(
        `group must be service:NAME or family:NAME, got "${group.trim()}"`,
      );
    }
  });

  it('takes an outcome, not-started, or a task last status in any case, as given', () => {
    for (const status of [
      ...OUTCOME_FILTERS,
      'RUNNING',
      'running',
      'Stopped',
      'PROVISIONING',
      'deprovisioning',
      'FAILED',
    ])
      expect(requestOf(new URLSearchParams({ status }).toString()).status).toBe(status);
  });

  it('rejects any other status, listing the ones it takes', () => {
    for (const status of ['unknown', 'crashed', 'oom', 'RUN']) {
      const { message } = rejectionOf(new URLSearchParams({ status }).toString());
      expect(message).toMatch(/^status must be one of /);
      expect(message).toContain(`got "${status}"`);
      for (const choice of [...OUTCOME_FILTERS, 'RUNNING', 'STOPPED', 'PENDING'])
        expect(message).toContain(choice);
    }
  });

  it("rejects a status with the CLI's own message (one rule for both)", () => {
    let cliMessage: string | undefined;
    try {
      parseStatusFilter('faild');
    } catch (error) {
      cliMessage = (error as Error).message;
    }

    expect(cliMessage).toMatch(/^status must be one of /);
    expect(rejectionOf('status=faild').message).toBe(cliMessage);
  });
});

describe('timelineRequestOf: parameters', () => {
  it('rejects a parameter it does not know, naming it and the ones it takes', () => {
    const { message } = rejectionOf('since=6h&service=web');

    expect(message).toBe(
      'unknown parameter "service": use cluster, group, status, since, from, to, at',
    );
  });

  it('ignores run: the page keeps the open run in the same URL', () => {
    const arn = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b';

    expect(requestOf(new URLSearchParams({ since: '6h', run: arn }).toString())).toEqual(
      requestOf('since=6h'),
    );
  });

  it('rejects a parameter given twice, naming it, even when both are the same or empty', () => {
    for (const name of ['cluster', 'group', 'status', 'since', 'from', 'to', 'at', 'run']) {
      for (const values of [
        ['a', 'b'],
        ['6h', '6h'],
        ['', ''],
      ]) {
        const query = values.map((value) => `${name}=${value}`).join('&');
        expect(rejectionOf(query).message).toBe(`parameter "${name}" is given more than once`);
      }
    }
  });

  it('names the unknown parameter whatever it is called', () => {
    const known = ['cluster', 'group', 'status', 'since', 'from', 'to', 'at', 'run'];

    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((name) => !known.includes(name)),
        (name) => {
          const params = new URLSearchParams({ since: '6h' });
          params.append(name, 'x');

          expect(() => timelineRequestOf(params, NOW)).toThrow(
            new BadRequestError(
              `unknown parameter "${name}": use cluster, group, status, since, from, to, at`,
            ),
          );
        },
      ),
    );
  });

  it('gives any since of whole hours up to a week a range of exactly that long, ending now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 * 24 }), (hours) => {
        const { range } = requestOf(`since=${hours}h`);

        expect(Date.parse(range.to)).toBe(NOW);
        expect(Date.parse(range.to) - Date.parse(range.from)).toBe(hours * HOUR);
      }),
    );
  });
});
