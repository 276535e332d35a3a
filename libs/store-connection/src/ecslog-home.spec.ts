import { displayPath, ecslogHome } from './ecslog-home';

const CWD = '/home/dana/projects/payments';

describe('ecslogHome', () => {
  it('keeps everything in ./.ecslog of the working folder by default', () => {
    expect(ecslogHome({}, CWD)).toEqual({
      root: '/home/dana/projects/payments/.ecslog',
      store: '/home/dana/projects/payments/.ecslog/store',
      storeLayout: '/home/dana/projects/payments/.ecslog/store-layout.json',
      lake: '/home/dana/projects/payments/.ecslog/lake',
      quarantine: '/home/dana/projects/payments/.ecslog/quarantine.ndjson',
      lock: '/home/dana/projects/payments/.ecslog/store.lock',
      simulatedDay: '/home/dana/projects/payments/.ecslog/simulated-day.json',
      credentials: '/home/dana/projects/payments/.ecslog/store-credentials.json',
    });
  });

  it('uses an absolute ECSLOG_HOME as it is, whatever the working folder', () => {
    const home = ecslogHome({ ECSLOG_HOME: '/var/lib/ecslog/' }, CWD);

    expect(home.root).toBe('/var/lib/ecslog');
    expect(home.store).toBe('/var/lib/ecslog/store');
    expect(home.lock).toBe('/var/lib/ecslog/store.lock');
  });

  it('reads a relative ECSLOG_HOME from the working folder', () => {
    expect(ecslogHome({ ECSLOG_HOME: 'tmp/audit' }, CWD).root).toBe(
      '/home/dana/projects/payments/tmp/audit',
    );
    expect(ecslogHome({ ECSLOG_HOME: '../shared-ecslog' }, CWD).quarantine).toBe(
      '/home/dana/projects/shared-ecslog/quarantine.ndjson',
    );
  });

  it('treats an empty ECSLOG_HOME as unset, and ignores other variables', () => {
    expect(ecslogHome({ ECSLOG_HOME: '', HOME: '/home/dana' }, CWD).root).toBe(
      '/home/dana/projects/payments/.ecslog',
    );
  });
});

describe('displayPath', () => {
  it('shows a path inside the working folder relative to it', () => {
    expect(displayPath(CWD, '/home/dana/projects/payments/.ecslog/quarantine.ndjson')).toBe(
      '.ecslog/quarantine.ndjson',
    );
  });

  it('shows the working folder itself as .', () => {
    expect(displayPath(CWD, CWD)).toBe('.');
  });

  it('shows a path outside the working folder in full', () => {
    expect(displayPath(CWD, '/var/lib/ecslog/quarantine.ndjson')).toBe(
      '/var/lib/ecslog/quarantine.ndjson',
    );
    expect(displayPath(CWD, '/home/dana/projects/shared-ecslog/store.lock')).toBe(
      '/home/dana/projects/shared-ecslog/store.lock',
    );
    // A sibling whose name starts like the working folder's is still outside it.
    expect(displayPath(CWD, '/home/dana/projects/payments-old/.ecslog')).toBe(
      '/home/dana/projects/payments-old/.ecslog',
    );
  });

  it('shows the paths ecslogHome gives relative to the working folder', () => {
    const home = ecslogHome({}, CWD);

    expect([home.store, home.lake, home.lock].map((p) => displayPath(CWD, p))).toEqual([
      '.ecslog/store',
      '.ecslog/lake',
      '.ecslog/store.lock',
    ]);
  });
});
