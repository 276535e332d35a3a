const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'ingest',
  rootDir: __dirname,
  // Integration specs start DynamoDB Local, dynalite and kinesalite on loopback.
  testTimeout: 60_000,
};
