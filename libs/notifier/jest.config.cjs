const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'notifier',
  rootDir: __dirname,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/notifier',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts'],
  coverageThreshold: { global: { lines: 90 } },
};
