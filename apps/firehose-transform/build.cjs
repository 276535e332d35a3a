#!/usr/bin/env node
// Bundles the transform handler into dist/apps/firehose-transform/index.js (+ .map) for
// nodejs22.x: `node build.cjs [outdir]` (see tools/build/bundle-lambdas.cjs).
const { join, resolve } = require('node:path');
const { bundleLambdas, runBuild } = require('../../tools/build/bundle-lambdas.cjs');

runBuild(() =>
  bundleLambdas({
    appDir: __dirname,
    outdir: resolve(process.argv[2] ?? join(__dirname, '../../dist/apps/firehose-transform')),
    handlers: { index: 'src/transform.handler.ts' },
  }),
);
