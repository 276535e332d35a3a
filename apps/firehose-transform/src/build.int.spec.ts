import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { TRANSFORM_FIXTURES_DIR, DIRECT_PUT_RESULTS, loadDirectPutEvent, rowsOf } from './testing';

const run = promisify(execFile);
const APP_DIR = join(__dirname, '..');
/**
 * The bundle `npx nx run firehose-transform:build` writes, which the infra app deploys as it is
 * (apps/infra/src/constructs/pipeline-function.ts): these tests run exactly that file.
 */
const DIST_DIR = join(APP_DIR, '../../dist/apps/firehose-transform');

/** Loads the bundle in a fresh Node process, as the Lambda runtime does, and invokes it once. */
const INVOKE = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
handler(event).then((result) => console.log('RESULT ' + JSON.stringify(result)));
`;

describe('the bundle (node build.cjs)', () => {
  const outdir = DIST_DIR;
  /** A fresh build beside dist/apps/firehose-transform (same depth: same source map paths). */
  let freshDir: string;
  let scratch: string;
  beforeAll(async () => {
    // Run through nx, the build comes first; run alone, build dist/ when it is not there yet.
    if (!existsSync(join(DIST_DIR, 'index.js')))
      await run(process.execPath, [join(APP_DIR, 'build.cjs')], { cwd: APP_DIR });
    freshDir = await mkdtemp(join(DIST_DIR, '../.transform-build-check-'));
    await run(process.execPath, [join(APP_DIR, 'build.cjs'), freshDir], { cwd: APP_DIR });
    scratch = await mkdtemp(join(tmpdir(), 'ecslog-transform-build-'));
  });
  afterAll(async () => {
    await rm(freshDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('dist/apps/firehose-transform is byte for byte what build.cjs makes from these sources (the deployed asset)', async () => {
    const files = (await readdir(freshDir)).sort();
    expect((await readdir(DIST_DIR)).sort()).toEqual(files);
    for (const file of files) {
      const built = await readFile(join(freshDir, file));
      const deployed = await readFile(join(DIST_DIR, file));
      // Stale dist/: `npx nx run firehose-transform:build` (infra:synth and infra:test run it first).
      expect({ file, same: deployed.equals(built) }).toEqual({ file, same: true });
    }
  });

  const invoke = (eventPath: string, env: Record<string, string> = {}) =>
    run(process.execPath, ['-e', INVOKE, join(outdir, 'index.js'), eventPath], {
      cwd: scratch,
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
    const eventPath = join(scratch, 'not-firehose.json');
    await writeFile(eventPath, JSON.stringify({ Records: [] }));

    await expect(invoke(eventPath)).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /InvalidFirehoseEventError: not a Firehose data-transformation event \(1 problem\): records must be an array, got undefined/,
      ),
    });
  });
});
