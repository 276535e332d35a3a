/**
 * What the built `ecslog` loads to start (issue 19: people script it, so start-up is paid on every
 * call): each command loads what it runs, and nothing another command needs. Checked on the real
 * binary, in a child process whose loaded modules (`require.cache`, which also holds the modules a
 * dynamic `import()` loads) are written out as it exits: an invariant, not a timing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { RunningEcslog } from './testing/run-ecslog';
import { EVENTS_DIR, REPO_ROOT, runEcslog, startEcslog } from './testing/run-ecslog';

/** Loaded only by the commands that use them. */
const HEAVY = {
  'the AWS SDK': /\/node_modules\/@(aws-sdk|smithy)\//,
  'the SQS, S3 and Kinesis clients': /\/node_modules\/@aws-sdk\/client-(sqs|s3|kinesis)\//,
  dynalite: /\/node_modules\/(dynalite|classic-level|memory-level|level)\//,
  esbuild: /\/node_modules\/esbuild\//,
  'fast-check': /\/node_modules\/fast-check\//,
  'the store': /\/libs\/(audit-store|store-connection)\//,
  'the notifier and incidents': /\/libs\/(notifier|incidents)\//,
  'the ingest pipeline and the lake': /\/libs\/(ingest-pipeline|local-lake)\//,
  'the simulator': /\/tools\/simulator\//,
  'the mapper and task runs': /\/libs\/(ecs-event-mapper|task-runs)\//,
  "the web view's server": /\/apps\/cli\/dist\/web\//,
  'the implementation of any command': /\/apps\/cli\/dist\/commands\/[^/]+\.run\.js$/,
} as const;

type Heavy = keyof typeof HEAVY;

/** Each `HEAVY` name whose pattern some loaded module matches, with the first such module. */
function heavyLoaded(modules: readonly string[], names: readonly Heavy[]): string[] {
  return names.flatMap((name) => {
    const found = modules.find((path) => HEAVY[name].test(path));
    return found === undefined ? [] : [`${name} (${relative(REPO_ROOT, found)})`];
  });
}

/** Every `HEAVY` name but those given. */
function allBut(...allowed: Heavy[]): Heavy[] {
  return (Object.keys(HEAVY) as Heavy[]).filter((name) => !allowed.includes(name));
}

// `ecslog local` starts a store and a web view process: well past jest's 5 s on a loaded machine.
jest.setTimeout(120_000);

describe('ecslog start-up (the built binary)', () => {
  let dir: string;
  let preload: string;
  let runs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-start-up-'));
    preload = join(dir, 'record-loaded.cjs');
    await writeFile(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.ECSLOG_TEST_LOADED, " +
        "Object.keys(require.cache).join('\\n')));\n",
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `ecslog ...args`; its exit status, stderr and the modules it loaded (absolute paths). */
  async function loadedBy(args: readonly string[], env: Record<string, string> = {}) {
    runs += 1;
    const out = join(dir, `loaded-${runs}.txt`);
    const run = await runEcslog(args, undefined, {
      ...env,
      ECSLOG_TEST_LOADED: out,
      NODE_OPTIONS: `--require ${preload}`,
    });
    const modules = (await readFile(out, 'utf8')).split('\n');
    return { ...run, modules };
  }

  it('`ecslog --help` loads the command definitions only', async () => {
    const run = await loadedBy(['--help']);

    expect(run.status).toBe(0);
    expect(run.modules.some((path) => path.endsWith('/commands/tasks.command.js'))).toBe(true);
    expect(heavyLoaded(run.modules, allBut())).toEqual([]);
  });

  it('`ecslog map FILE` loads the mapper and its input readers, nothing of the store', async () => {
    const run = await loadedBy(['map', `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`]);

    expect(run.status).toBe(0);
    expect(run.modules.some((path) => path.endsWith('/commands/map.run.js'))).toBe(true);
    expect(
      heavyLoaded(
        run.modules.filter((path) => !path.endsWith('/commands/map.run.js')),
        allBut('the mapper and task runs'),
      ),
    ).toEqual([]);
  });

  describe('a query on the local store', () => {
    let home: string;
    let local: RunningEcslog | undefined;

    beforeAll(async () => {
      home = await mkdtemp(join(dir, 'home-'));
    });

    afterAll(async () => {
      await local?.stop();
    });

    /** What a query needs: the store's code, its SDK client, the domain; nothing else. */
    const QUERY_LOADS: Heavy[] = ['the AWS SDK', 'the store', 'the mapper and task runs'];

    it('opened by the command itself loads dynalite, and no other client or pipeline', async () => {
      const run = await loadedBy(['tasks', '--since', '1h'], { ECSLOG_HOME: home });

      expect(run.stderr).toMatch(/is empty/);
      expect(run.modules.some((path) => HEAVY.dynalite.test(path))).toBe(true);
      expect(
        heavyLoaded(
          run.modules.filter((path) => !path.endsWith('/commands/tasks.run.js')),
          allBut(...QUERY_LOADS, 'dynalite'),
        ),
      ).toEqual([]);
    });

    it('served by a running `ecslog local` does not load dynalite', async () => {
      local = startEcslog(['local', '--no-simulate', '--ui-port', '0', '--no-open'], {
        ECSLOG_HOME: home,
      });
      await local.waitForOutput(/Ctrl-C stops local mode/);

      const run = await loadedBy(['tasks', '--since', '1h'], { ECSLOG_HOME: home });

      expect(run.stderr).toMatch(/served by pid/);
      expect(
        heavyLoaded(
          run.modules.filter((path) => !path.endsWith('/commands/tasks.run.js')),
          allBut(...QUERY_LOADS),
        ),
      ).toEqual([]);
    });
  });
});
