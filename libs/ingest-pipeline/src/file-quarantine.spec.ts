import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileQuarantine } from './file-quarantine';
import type { QuarantineEntry } from './quarantine';
import { parseQuarantineEntry, QuarantineError } from './quarantine';

const entry = (n: number, payload: unknown = { id: `e${n}` }): QuarantineEntry => ({
  source: 'eventbridge',
  receivedAt: '2026-11-21T00:00:00.000Z',
  reason: 'time: is not a timestamp',
  problems: [{ path: 'time', message: 'is not a timestamp' }],
  payload,
  payloadEncoding: 'json',
  origin: { eventId: `e${n}` },
});

describe('createFileQuarantine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-quarantine-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per entry, creating the folder', async () => {
    const path = join(dir, 'nested', 'quarantine.ndjson');
    const quarantine = createFileQuarantine({ path });
    await quarantine.hold(entry(1, { text: 'line one\nline two' }));
    await quarantine.hold(entry(2));
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(parseQuarantineEntry(lines[0] as string)).toEqual(
      entry(1, { text: 'line one\nline two' }),
    );
    expect(parseQuarantineEntry(lines[1] as string)).toEqual(entry(2));
  });

  it('keeps lines whole when large entries are held at once', async () => {
    const path = join(dir, 'quarantine.ndjson');
    const quarantine = createFileQuarantine({ path });
    const entries = Array.from({ length: 20 }, (_, n) => entry(n, 'z'.repeat(200_000 + n)));
    await Promise.all(entries.map((e) => quarantine.hold(e)));
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => parseQuarantineEntry(line))).toEqual(entries);
  });

  it('holds an entry whose payload is nested 10,000 levels deep as one line', async () => {
    const path = join(dir, 'quarantine.ndjson');
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;

    await createFileQuarantine({ path }).hold(entry(1, deep));

    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain(`"payload":${'['.repeat(10_000)}${']'.repeat(10_000)}`);
  });

  it('rejects with a QuarantineError, and keeps working, when the file cannot be written', async () => {
    const path = join(dir, 'blocked', 'quarantine.ndjson');
    await writeFile(join(dir, 'blocked'), 'a file where the folder should be');
    const quarantine = createFileQuarantine({ path });
    const failure = quarantine.hold(entry(1));
    await expect(failure).rejects.toThrow(QuarantineError);
    await expect(failure).rejects.toMatchObject({
      name: 'QuarantineError',
      cause: { code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/) },
    });
    await rm(join(dir, 'blocked'));
    await quarantine.hold(entry(2));
    expect(parseQuarantineEntry(await readFile(path, 'utf8'))).toEqual(entry(2));
  });
});
