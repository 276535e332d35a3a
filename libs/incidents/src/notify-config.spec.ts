import { DEFAULT_NOTIFY_CONFIG, FILTER_CATEGORIES, parseNotifyConfig } from './notify-config';

describe('parseNotifyConfig', () => {
  it('takes the defaults for everything absent', () => {
    expect(parseNotifyConfig(undefined)).toEqual({ ok: true, config: DEFAULT_NOTIFY_CONFIG });
    expect(parseNotifyConfig({})).toEqual({ ok: true, config: DEFAULT_NOTIFY_CONFIG });
  });

  it('keeps given values beside the defaults of their siblings', () => {
    const result = parseNotifyConfig({
      updateIntervalMinutes: 5,
      crashLoop: { stops: 3 },
      missedRun: { graceMinutes: 7.5 },
      filters: {
        clusters: [' prod-web '],
        groups: ['service:web', 'family:nightly-report'],
        categories: ['out-of-memory', 'crash-loop'],
      },
    });

    expect(result).toEqual({
      ok: true,
      config: {
        ...DEFAULT_NOTIFY_CONFIG,
        updateIntervalMinutes: 5,
        crashLoop: { stops: 3, withinMinutes: 10 },
        missedRun: { graceMinutes: 7.5, minRuns: 4 },
        filters: {
          clusters: ['prod-web'],
          groups: ['service:web', 'family:nightly-report'],
          categories: ['out-of-memory', 'crash-loop'],
        },
      },
    });
  });

  it.each([
    [{ quietPeriodMinutes: 0 }, 'quietPeriodMinutes must be a number > 0, got 0'],
    [{ updateIntervalMinutes: '15' }, 'updateIntervalMinutes must be a number > 0, got "15"'],
    [{ silence: { afterMinutes: -1 } }, 'silence.afterMinutes must be a number > 0, got -1'],
    [
      { crashLoop: { withinMinutes: Number.POSITIVE_INFINITY } },
      'crashLoop.withinMinutes must be a number > 0, got Infinity',
    ],
    [{ crashLoop: { stops: 2.5 } }, 'crashLoop.stops must be a whole number > 0, got 2.5'],
    [{ missedRun: { minRuns: 0 } }, 'missedRun.minRuns must be a number > 0, got 0'],
    [{ crashLoop: 5 }, 'crashLoop must be an object, got 5'],
    [[], 'the notify configuration must be an object, got []'],
    [
      { filters: { clusters: 'prod' } },
      'filters.clusters must be a list of non-empty strings, got "prod"',
    ],
    [{ filters: { groups: [''] } }, 'filters.groups must be a list of non-empty strings, got [""]'],
    [
      { filters: { groups: ['web'] } },
      'filters.groups must name service:NAME or family:NAME, got "web"',
    ],
    [
      { filters: { categories: ['oom'] } },
      `filters.categories must be among ${FILTER_CATEGORIES.join(', ')}, got "oom"`,
    ],
  ])('refuses %j with one error naming the field', (input, error) => {
    const result = parseNotifyConfig(input);

    expect(result).toEqual({ ok: false, error });
  });

  it('cuts a long value in its error', () => {
    const result = parseNotifyConfig({ filters: { clusters: [1, 'x'.repeat(80)] } });

    expect(result).toEqual({
      ok: false,
      error: `filters.clusters must be a list of non-empty strings, got [1,"${'x'.repeat(53)}...`,
    });
  });

  it('names every failure category and the other kinds as filter categories', () => {
    expect(FILTER_CATEGORIES).toEqual(
      expect.arrayContaining(['out-of-memory', 'placement', 'crash-loop', 'silence', 'missed-run']),
    );
  });
});
