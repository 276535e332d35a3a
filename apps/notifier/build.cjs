#!/usr/bin/env node
// Bundles each Lambda handler into dist/apps/notifier/<name>/index.js (+ .map) for nodejs22.x:
// `node build.cjs [outdir]` (see tools/build/bundle-lambdas.cjs; the AWS SDK is bundled).
const { join, resolve } = require('node:path');
const { bundleLambdas, runBuild } = require('../../tools/build/bundle-lambdas.cjs');

runBuild(() =>
  bundleLambdas({
    appDir: __dirname,
    outdir: resolve(process.argv[2] ?? join(__dirname, '../../dist/apps/notifier')),
    handlers: {
      'stream/index': 'src/stream.handler.ts',
      'tick/index': 'src/tick.handler.ts',
    },
  }),
);
