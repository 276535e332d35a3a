const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'cli',
  rootDir: __dirname,
  // No threshold: the end-to-end specs run the real binary in child processes, which jest
  // cannot measure, so the figure understates what the tests exercise. It is reported as is.
  collectCoverage: true,
  coverageDirectory: '../../coverage/apps/cli',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/testing/**'],
};
