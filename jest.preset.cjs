// Shared jest settings: every project transforms TypeScript with SWC (type checking is the
// separate `typecheck` target). Workspace packages resolve to their TypeScript sources through
// the `@ecslog/source` export condition, so tests never run a stale build of another project.
const fs = require('node:fs');
const path = require('node:path');

// `jest --outputFile=../../reports/jest/<project>.json` fails when the folder is missing (a
// fresh clone), and every project's test script writes there for .ci/run to count.
fs.mkdirSync(path.join(__dirname, 'reports/jest'), { recursive: true });

const swcConfig = JSON.parse(
  require('node:fs').readFileSync(path.join(__dirname, '.swcrc'), 'utf8'),
);

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // A dynamic import() in a CommonJS module stays an ECMAScript import under `module: nodenext`,
  // so it names the built file (`import('./commands/local.command.js')`); tests load the source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironmentOptions: { customExportConditions: ['@ecslog/source', 'node', 'node-addons'] },
  // Built output (dist, out-tsc) holds no tests and must not shadow the sources.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/out-tsc/'],
  testMatch: ['<rootDir>/**/*.spec.ts'],
  globalSetup: path.join(__dirname, 'tools/jest/global-setup.cjs'),
  setupFiles: [path.join(__dirname, 'tools/jest/fast-check-setup.cjs')],
  clearMocks: true,
};
