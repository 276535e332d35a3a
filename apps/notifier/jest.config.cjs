const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'notifier-app',
  rootDir: __dirname,
  // Integration specs start DynamoDB Local or dynalite and channel receivers on loopback.
  testTimeout: 60_000,
};
