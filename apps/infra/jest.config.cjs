const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'infra',
  rootDir: __dirname,
  // Synthesis bundles the Lambda handlers with esbuild: seconds per app.
  testTimeout: 120_000,
};
