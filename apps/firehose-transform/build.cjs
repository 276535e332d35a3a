#!/usr/bin/env node
// Bundles the transform handler into dist/apps/firehose-transform/index.js (+ .map) for
// nodejs22.x: `node build.cjs [outdir]`. Everything is bundled (the mapper, Powertools Logger);
// only Node built-ins stay outside.
const { readFileSync, rmSync, statSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');
const esbuild = require('esbuild');

async function main() {
  const outdir = resolve(process.argv[2] ?? join(__dirname, '../../dist/apps/firehose-transform'));
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: __dirname,
    entryPoints: [{ out: 'index', in: 'src/transform.handler.ts' }],
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
  const file = join(outdir, 'index.js');
  const gzip = gzipSync(readFileSync(file)).length;
  console.log(`${relative(process.cwd(), file)}  ${kb(statSync(file).size)} (gzip ${kb(gzip)})`);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
