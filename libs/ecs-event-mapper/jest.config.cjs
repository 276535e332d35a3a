const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'ecs-event-mapper',
  rootDir: __dirname,
  collectCoverage: true,
  coverageDirectory: '../../coverage/libs/ecs-event-mapper',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/testing/**'],
  coverageThreshold: { global: { lines: 95 } },
};
