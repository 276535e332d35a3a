const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'store-connection',
  rootDir: __dirname,
  // Integration specs open dynalite stores in temporary folders.
  testTimeout: 60_000,
};
