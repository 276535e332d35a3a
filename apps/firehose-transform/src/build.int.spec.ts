import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { TRANSFORM_FIXTURES_DIR, DIRECT_PUT_RESULTS, loadDirectPutEvent, rowsOf } from './testing';

const run = promisify(execFile);
const APP_DIR = join(__dirname, '..');

/** Loads the bundle in a fresh Node process, as the Lambda runtime does, and invokes it once. */
const INVOKE = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
handler(event).then((result) => console.log('RESULT ' + JSON.stringify(result)));
`;

describe('the bundle (node build.cjs)', () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'ecslog-transform-build-'));
    await run(process.execPath, [join(APP_DIR, 'build.cjs'), outdir], { cwd: APP_DIR });
  });
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  const invoke = (eventPath: string, env: Record<string, string> = {}) =>
    run(process.execPath, ['-e', INVOKE, join(outdir, 'index.js'), eventPath], {
      cwd: outdir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });

  it('is one self-contained CommonJS file with a source map: only Node built-ins stay outside', async () => {
    const code = await readFile(join(outdir, 'index.js'), 'utf8');

    const external = [...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(external.filter((module) => !module?.startsWith('node:'))).toEqual([]);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
    expect((await stat(join(outdir, 'index.js.map'))).size).toBeGreaterThan(0);
  });

  it('runs outside the repository: transforms the Direct PUT fixture and logs with Powertools', async () => {
    const { stdout, stderr } = await invoke(
      join(TRANSFORM_FIXTURES_DIR, 'firehose/direct-put.json'),
    );

    const resultLine = stdout.split('\n').find((line) => line.startsWith('RESULT ')) ?? '';
    const result = JSON.parse(resultLine.slice('RESULT '.length)) as FirehoseTransformationResult;
    const event = loadDirectPutEvent();
    expect(result.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(result.records.map((r) => r.result)).toEqual(DIRECT_PUT_RESULTS);
    expect(rowsOf(result.records[2] as (typeof result.records)[number])).toHaveLength(5);
    // Powertools writes WARN and ERROR lines to stderr, the others to stdout.
    const logs = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.filter((log) => log['level'] === 'WARN')).toHaveLength(4);
    expect(logs.find((log) => log['message'] === 'batch transformed')).toMatchObject({
      level: 'INFO',
      message: 'batch transformed',
      service: 'ecslog-firehose-transform',
      ok: 5,
      failed: 4,
    });
  });

  it('fails the invocation with InvalidFirehoseEventError when there is no records array', async () => {
    const eventPath = join(outdir, 'not-firehose.json');
    await writeFile(eventPath, JSON.stringify({ Records: [] }));

    await expect(invoke(eventPath)).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /InvalidFirehoseEventError: not a Firehose data-transformation event \(1 problem\): records must be an array, got undefined/,
      ),
    });
  });
});
