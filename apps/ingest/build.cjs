#!/usr/bin/env node
// Bundles each Lambda handler into dist/apps/ingest/<name>/index.js (+ .map) for nodejs22.x:
// `node build.cjs [outdir]`. The AWS SDK is bundled, not external: the runtime's SDK version
// changes without notice, the bundle runs exactly the SDK the tests ran against.
// `module` before `main` picks the SDK's ES builds, which tree-shake ≈30% smaller.
const { rmSync, statSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');
const { readFileSync } = require('node:fs');
const esbuild = require('esbuild');

const HANDLERS = { eventbridge: 'src/eventbridge.handler.ts', kinesis: 'src/kinesis.handler.ts' };

async function main() {
  const outdir = resolve(process.argv[2] ?? join(__dirname, '../../dist/apps/ingest'));
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: __dirname,
    entryPoints: Object.entries(HANDLERS).map(([name, path]) => ({
      out: `${name}/index`,
      in: path,
    })),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  for (const name of Object.keys(HANDLERS)) {
    const file = join(outdir, name, 'index.js');
    const gzip = gzipSync(readFileSync(file)).length;
    console.log(`${relative(process.cwd(), file)}  ${kb(statSync(file).size)} (gzip ${kb(gzip)})`);
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
