const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'task-runs',
  rootDir: __dirname,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/task-runs',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts'],
  coverageThreshold: { global: { lines: 95 } },
};
