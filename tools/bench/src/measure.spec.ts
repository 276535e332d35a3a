import { measure, median } from './measure';

describe('median', () => {
  it('is the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('measure', () => {
  it('interleaves contenders, skips warm-up rounds and reports ratios to the baseline', () => {
    let clock = 0;
    const order: string[] = [];
    const contender = (name: string, cost: number) => ({
      name,
      run: () => {
        order.push(name);
        clock += cost;
        return cost;
      },
    });

    const [baseline, candidate] = measure(contender('base', 10), [contender('cand', 15)], {
      items: 1000,
      rounds: 3,
      warmupRounds: 1,
      now: () => clock,
    });

    expect(order).toEqual(['base', 'cand', 'base', 'cand', 'base', 'cand', 'base', 'cand']);
    expect(baseline).toEqual({
      name: 'base',
      medianMs: 10,
      itemsPerSecond: 100_000,
      ratioToBaseline: 1,
    });
    expect(candidate?.ratioToBaseline).toBe(1.5);
    expect(candidate?.itemsPerSecond).toBeCloseTo(66_666.67, 1);
  });
});
