const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'backfill',
  rootDir: __dirname,
  // Integration specs start dynalite, kinesalite, s3rver and a CloudTrail contract server on loopback.
  testTimeout: 60_000,
};
