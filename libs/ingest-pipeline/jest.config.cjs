const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'ingest-pipeline',
  rootDir: __dirname,
  // Integration specs start DynamoDB Local, dynalite, kinesalite and a loopback SQS server.
  testTimeout: 60_000,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/ingest-pipeline',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/testing/**'],
  coverageThreshold: { global: { lines: 90 } },
};
