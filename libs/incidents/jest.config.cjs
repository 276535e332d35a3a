const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'incidents',
  rootDir: __dirname,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/incidents',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts'],
  coverageThreshold: { global: { lines: 95 } },
};
