import * as simulator from '@ecslog/simulator';
import { isSimulatedRecord, SIMULATED_ACCOUNT } from './simulated-records';

describe('isSimulatedRecord', () => {
  it("is the simulator's own test, on its account", () => {
    expect(SIMULATED_ACCOUNT).toBe(simulator.SIMULATED_ACCOUNT);
    for (const account of [simulator.SIMULATED_ACCOUNT, '123456789012', undefined, 0, ''])
      expect(isSimulatedRecord({ account })).toBe(simulator.isSimulatedRecord({ account }));
  });

  it('tells the records of a simulated day', () => {
    const { events } = simulator.simulateDay({ seed: 3 });
    const accounts = new Set(events.map((event) => (event as { account?: unknown }).account));
    expect([...accounts].every((account) => isSimulatedRecord({ account }))).toBe(true);
  });
});
