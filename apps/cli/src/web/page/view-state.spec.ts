import fc from 'fast-check';
import type { ViewState } from './view-state';
import {
  incidentsPathOf,
  searchOf,
  timelinePathOf,
  timelineQueryOf,
  viewStateOf,
  withFilters,
} from './view-state';

const TASK_ARN =
  'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b';
const FAILURE_ID = 'api-call:11e8a8c5-8785-41db-a9c1-2f17245255e7:failure:0';
const NAMES = ['cluster', 'group', 'status', 'since', 'from', 'to', 'run'] as const;
const FILTER_NAMES = NAMES.filter((name) => name !== 'run');

/** A value as the page sets one: never empty, no blanks around it, any characters inside. */
const valueArb = fc
  .oneof(
    fc.constantFrom(
      'prod-web',
      'service:web',
      'family:nightly-report',
      'failed',
      'not-started',
      'RUNNING',
      '6h',
      '2026-11-20T03:00:00.000Z',
      TASK_ARN,
      FAILURE_ID,
    ),
    // Characters a query string must encode, and some it must not mistake for its own.
    fc.string({
      unit: fc.constantFrom(':', '&', '=', ' ', '+', '%', '?', '#', '/', 'é', '日', '🚀', 'a', '1'),
      minLength: 1,
    }),
    fc.string({ unit: 'grapheme', minLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1 }),
  )
  .filter((value) => value.trim() === value && value !== '');

const stateArb: fc.Arbitrary<ViewState> = fc.record(
  {
    cluster: valueArb,
    group: valueArb,
    status: valueArb,
    since: valueArb,
    from: valueArb,
    to: valueArb,
    run: valueArb,
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** A change as the page makes one: some names set, some cleared (undefined). */
const changeArb: fc.Arbitrary<ViewState> = fc.record(
  {
    cluster: fc.option(valueArb, { nil: undefined }),
    group: fc.option(valueArb, { nil: undefined }),
    status: fc.option(valueArb, { nil: undefined }),
    since: fc.option(valueArb, { nil: undefined }),
    from: fc.option(valueArb, { nil: undefined }),
    to: fc.option(valueArb, { nil: undefined }),
    run: fc.option(valueArb, { nil: undefined }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const without = (state: ViewState, ...names: (keyof ViewState)[]): ViewState =>
  Object.fromEntries(
    Object.entries(state).filter(([name]) => !names.includes(name as keyof ViewState)),
  );

describe('viewStateOf and searchOf', () => {
  it('reads back any state from its query string', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(viewStateOf(searchOf(state))).toStrictEqual(state);
      }),
    );
  });

  it('writes the filters in a fixed order, the open run last, encoded', () => {
    expect(searchOf({ run: TASK_ARN, since: '6h', group: 'service:web' })).toBe(
      `?group=service%3Aweb&since=6h&run=${encodeURIComponent(TASK_ARN)}`,
    );
    expect(searchOf({ cluster: 'prod web', status: 'a&b=c' })).toBe(
      '?cluster=prod+web&status=a%26b%3Dc',
    );
  });

  it('writes nothing for a state without values', () => {
    expect(searchOf({})).toBe('');
    expect(searchOf({ cluster: undefined, group: '' })).toBe('');
  });

  it('reads empty values as absent, trims blanks, and keeps unknown names out', () => {
    expect(viewStateOf('?cluster=%20prod-web%20&group=&status=+&since=6h&utm_source=mail')).toEqual(
      { cluster: 'prod-web', since: '6h' },
    );
    expect(viewStateOf('')).toEqual({});
  });

  it('reads a link written by hand, with the colon unencoded', () => {
    expect(viewStateOf('?group=service:web&run=' + TASK_ARN)).toEqual({
      group: 'service:web',
      run: TASK_ARN,
    });
  });
});

describe('timelineQueryOf', () => {
  it('asks for the filters of any state, never the open run', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const query = timelineQueryOf(state);

        expect(new URLSearchParams(query).has('run')).toBe(false);
        expect(viewStateOf(query)).toStrictEqual(without(state, 'run'));
      }),
    );
  });

  it('is empty when only a run is open', () => {
    expect(timelineQueryOf({ run: TASK_ARN })).toBe('');
  });
});

describe('withFilters', () => {
  it('drops from and to when since is chosen', () => {
    fc.assert(
      fc.property(stateArb, valueArb, (state, since) => {
        const next = withFilters(state, { since });

        expect(next.since).toBe(since);
        expect(next.from).toBeUndefined();
        expect(next.to).toBeUndefined();
      }),
    );
  });

  it('drops since when from or to is chosen, keeping the other end', () => {
    fc.assert(
      fc.property(stateArb, fc.constantFrom('from', 'to'), valueArb, (state, end, value) => {
        const next = withFilters(state, { [end]: value });

        expect(next.since).toBeUndefined();
        expect(next[end]).toBe(value);
        const other = end === 'from' ? 'to' : 'from';
        expect(next[other]).toBe(state[other]);
      }),
    );
  });

  it('drops the group when the cluster changes, unless a group is given with it', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.option(valueArb, { nil: undefined }),
        valueArb,
        (state, cluster, group) => {
          expect(withFilters(state, { cluster }).group).toBeUndefined();
          expect(withFilters(state, { cluster }).cluster).toBe(cluster);
          expect(withFilters(state, { cluster, group }).group).toBe(group);
        },
      ),
    );
  });

  it('closes the open run on any change, unless the change names a run', () => {
    fc.assert(
      fc.property(stateArb, changeArb, (state, change) => {
        expect(withFilters(state, change).run).toBe('run' in change ? change.run : undefined);
      }),
    );
  });

  it('keeps every filter the change does not touch', () => {
    fc.assert(
      fc.property(stateArb, changeArb, (state, change) => {
        const next = withFilters(state, change);

        const touched = new Set<string>(Object.keys(change));
        if (change.since) touched.add('from').add('to');
        if (change.from || change.to) touched.add('since');
        if ('cluster' in change) touched.add('group');
        for (const name of FILTER_NAMES.filter((filter) => !touched.has(filter)))
          expect(next[name]).toBe(state[name]);
      }),
    );
  });

  it('sets, or clears, the cluster, group and status the change names', () => {
    fc.assert(
      fc.property(stateArb, changeArb, (state, change) => {
        const next = withFilters(state, change);

        for (const name of ['cluster', 'group', 'status'] as const)
          if (name in change) expect(next[name]).toBe(change[name]);
      }),
    );
  });

  it('gives a state that reads back from its own query string', () => {
    fc.assert(
      fc.property(stateArb, changeArb, (state, change) => {
        const next = withFilters(state, change);

        expect(viewStateOf(searchOf(next))).toStrictEqual(next);
      }),
    );
  });

  it("switches the page's range menu from a duration to a custom range and back", () => {
    const shown: ViewState = { group: 'service:web', since: '6h', run: TASK_ARN };

    const custom = withFilters(shown, {
      since: undefined,
      from: '2026-11-20T03:00:00.000Z',
      to: undefined,
    });
    const narrowed = withFilters(custom, { to: '2026-11-20T09:00:00.000Z' });
    const back = withFilters(narrowed, { since: '24h' });

    expect(custom).toStrictEqual({ group: 'service:web', from: '2026-11-20T03:00:00.000Z' });
    expect(narrowed).toStrictEqual({
      group: 'service:web',
      from: '2026-11-20T03:00:00.000Z',
      to: '2026-11-20T09:00:00.000Z',
    });
    expect(back).toStrictEqual({ group: 'service:web', since: '24h' });
  });

  it('opens a run without touching the filters', () => {
    const shown: ViewState = { cluster: 'prod-web', status: 'failed', since: '24h' };

    expect(withFilters(shown, { run: FAILURE_ID })).toStrictEqual({ ...shown, run: FAILURE_ID });
  });
});

describe('a search in the view', () => {
  it('is kept in the link first, and asked of /api/search with the filters, never the open run', () => {
    const state: ViewState = { q: '10.0.4.17', since: '6h', run: TASK_ARN };

    expect(searchOf(state)).toBe(`?q=10.0.4.17&since=6h&run=${encodeURIComponent(TASK_ARN)}`);
    expect(viewStateOf(searchOf(state))).toEqual(state);
    expect(timelinePathOf(state)).toBe('/api/search?q=10.0.4.17&since=6h');
    expect(timelinePathOf({ since: '6h', run: TASK_ARN })).toBe('/api/timeline?since=6h');
  });

  it('stays while the filters change', () => {
    expect(withFilters({ q: 'web:latest', since: '6h' }, { status: 'failed' })).toEqual({
      q: 'web:latest',
      since: '6h',
      status: 'failed',
    });
  });
});

describe('incidentsPathOf', () => {
  it("asks for the view's cluster, group and range, not its status, search or open run", () => {
    expect(
      incidentsPathOf({
        q: '10.0.4.17',
        cluster: 'prod-web',
        group: 'service:web',
        status: 'failed',
        since: '6h',
        run: TASK_ARN,
      }),
    ).toBe('/api/incidents?cluster=prod-web&group=service%3Aweb&since=6h');
    expect(
      incidentsPathOf({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' }),
    ).toBe('/api/incidents?from=2026-11-20T00%3A00%3A00.000Z&to=2026-11-21T00%3A00%3A00.000Z');
    expect(incidentsPathOf({ run: TASK_ARN })).toBe('/api/incidents');
  });

  it('asks the same of every state with the same cluster, group and range (property)', () => {
    fc.assert(
      fc.property(stateArb, valueArb, valueArb, (state, status, q) => {
        const path = incidentsPathOf(state);
        const params = new URLSearchParams(path.slice('/api/incidents'.length));

        expect(incidentsPathOf({ ...state, status, q, run: q })).toBe(path);
        expect(Object.fromEntries(params)).toEqual(without(state, 'status', 'run', 'q'));
      }),
    );
  });
});
