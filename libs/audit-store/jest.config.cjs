const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'audit-store',
  rootDir: __dirname,
  // Integration specs start DynamoDB Local (Java) and dynalite on loopback.
  testTimeout: 60_000,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/audit-store',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/testing/**'],
  coverageThreshold: { global: { lines: 90 } },
};
