const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'audit-store',
  rootDir: __dirname,
  // Integration specs start DynamoDB Local (Java) and dynalite on loopback. A timeout catches a
  // hang, not slowness: a loaded 2-core CI run took 37 s for a fault-proxy test that takes 10 s
  // alone, and one run failed on this project for a reason its kept log no longer shows.
  testTimeout: 180_000,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/audit-store',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/testing/**'],
  coverageThreshold: { global: { lines: 90 } },
};
