import { createRequestGate } from './request-gate';

describe('request gate', () => {
  const open = () => new AbortController().signal;

  it('gives `inFlight` turns at once, queues `queued` more, and refuses the rest at once', async () => {
    const gate = createRequestGate({ inFlight: 2, queued: 1, waitMs: 10_000 });
    const first = await gate.enter(open());
    const second = await gate.enter(open());
    const waiting = gate.enter(open());
    const refused = await gate.enter(open());

    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(refused).toBeUndefined();
    first?.();
    const third = await waiting;
    expect(third).toBeDefined();
    second?.();
    third?.();
    expect(await gate.enter(open())).toBeDefined();
  });

  it('keeps no more than `inFlight` turns out, however turns are handed over', async () => {
    const gate = createRequestGate({ inFlight: 2, queued: 10, waitMs: 10_000 });
    let out = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const leave = await gate.enter(open());
        if (!leave) throw new Error('no turn');
        out += 1;
        most = Math.max(most, out);
        await new Promise((resolve) => setTimeout(resolve, 5));
        out -= 1;
        leave();
        leave(); // twice: counted once
      }),
    );

    expect(most).toBe(2);
  });

  it('refuses a request that waited `waitMs`, and one whose client went away while waiting', async () => {
    const gate = createRequestGate({ inFlight: 1, queued: 5, waitMs: 50 });
    const held = await gate.enter(open());
    const gone = new AbortController();

    const timedOut = gate.enter(open());
    const abandoned = gate.enter(gone.signal);
    gone.abort();

    await expect(abandoned).resolves.toBeUndefined();
    await expect(timedOut).resolves.toBeUndefined();
    held?.();
    // The abandoned and timed-out waiters left the queue: the next request gets the turn.
    expect(await gate.enter(open())).toBeDefined();
    expect(await gate.enter(gone.signal)).toBeUndefined();
  });
});
