import { readProcessStart, startTicksOf } from './process-start';

describe('startTicksOf', () => {
  it('reads field 22 of a /proc/<pid>/stat line', () => {
    const stat =
      '4242 (node) S 1 4242 4242 0 -1 4194560 2519 0 0 0 10 3 0 0 20 0 11 0 987654 1130000384 12000 18446744073709551615';

    expect(startTicksOf(stat)).toBe('987654');
  });

  it('counts fields after the last parenthesis: a command name may hold spaces and ")"', () => {
    const stat =
      '7 (my ) proc (x)) R 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 31337 1 1 18446744073709551615';

    expect(startTicksOf(stat)).toBe('31337');
  });

  it('gives nothing for a line it cannot read', () => {
    expect(startTicksOf('garbage')).toBeUndefined();
    expect(startTicksOf('1 (x) S 1 2')).toBeUndefined();
  });
});

describe('readProcessStart', () => {
  it("reads this process's start and the boot id", async () => {
    const start = await readProcessStart(process.pid);

    expect(start?.startTicks).toMatch(/^\d+$/);
    expect(start?.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readProcessStart(process.pid)).toEqual(start);
  });

  it('gives nothing where /proc cannot be read (another system, a pid that is gone)', async () => {
    const read = async () => {
      throw Object.assign(new Error('no /proc'), { code: 'ENOENT' });
    };

    expect(await readProcessStart(process.pid, read)).toBeUndefined();
  });

  it('tells this process from one started long before it (pid 1)', async () => {
    const [mine, first] = [await readProcessStart(process.pid), await readProcessStart(1)];

    expect(first?.bootId).toBe(mine?.bootId);
    expect(Number(first?.startTicks)).toBeLessThan(Number(mine?.startTicks));
  });
});
