import type { StoreLock } from './store-lock';
import { decideUnwritableHome } from './unwritable-home';

const served: StoreLock = {
  pid: 4242,
  role: 'local',
  endpoint: 'http://127.0.0.1:50321',
  startedAt: '2026-12-01T08:00:00.000Z',
};
const command: StoreLock = { pid: 4243, role: 'command', startedAt: '2026-12-01T08:00:00.000Z' };
const decide = (input: Partial<Parameters<typeof decideUnwritableHome>[0]>) =>
  decideUnwritableHome({
    code: 'EROFS',
    role: 'command',
    holder: undefined,
    holderState: undefined,
    where: '/mnt/audit/.ecslog',
    ...input,
  });

describe('decideUnwritableHome (store.lock cannot be created)', () => {
  it.each(['EROFS', 'EACCES', 'EPERM'])(
    'reads a %s home nobody holds from a copy, unlocked',
    (code) => {
      expect(decide({ code })).toEqual({ action: 'read-copy' });
    },
  );

  it('reads from a copy when the lock left there names a process that has gone', () => {
    expect(decide({ holder: command, holderState: 'gone' })).toEqual({ action: 'read-copy' });
  });

  it('uses a running ecslog local that serves the store', () => {
    expect(decide({ holder: served, holderState: 'running' })).toEqual({ action: 'connect' });
    expect(decide({ holder: served, holderState: 'undecidable' })).toEqual({ action: 'connect' });
  });

  it('waits for a live command holding it (another user may write a folder we may not)', () => {
    expect(decide({ code: 'EACCES', holder: command, holderState: 'running' })).toEqual({
      action: 'wait',
    });
  });

  it('refuses ecslog local, which writes, in one line naming the read-only folder', () => {
    expect(decide({ role: 'local' })).toEqual({
      action: 'refuse',
      message:
        'ecslog local needs to write to /mnt/audit/.ecslog, a read-only folder (EROFS); set ECSLOG_HOME to a folder you can write',
    });
  });

  it('lets other errors stand (a full disk is not a read-only folder)', () => {
    expect(decide({ code: 'ENOSPC' })).toEqual({ action: 'rethrow' });
    expect(decide({ code: undefined })).toEqual({ action: 'rethrow' });
  });
});
