const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'local-lake',
  rootDir: __dirname,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/local-lake',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts'],
  coverageThreshold: { global: { lines: 90 } },
};
