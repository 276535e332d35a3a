const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'firehose-transform',
  rootDir: __dirname,
  // build.int.spec.ts bundles with esbuild and runs the bundle in a separate Node process.
  testTimeout: 30_000,
};
