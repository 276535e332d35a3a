// Shared jest settings: every project transforms TypeScript with SWC (type checking is the
// separate `typecheck` target) and resolves @ecslog/* aliases from tsconfig.base.json.
const fs = require('node:fs');
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

// `jest --outputFile=../../reports/jest/<project>.json` fails when the folder is missing (a
// fresh clone), and every project's test script writes there for .ci/run to count.
fs.mkdirSync(path.join(__dirname, 'reports/jest'), { recursive: true });

const swcConfig = JSON.parse(
  require('node:fs').readFileSync(path.join(__dirname, '.swcrc'), 'utf8'),
);

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  globalSetup: path.join(__dirname, 'tools/jest/global-setup.cjs'),
  setupFiles: [path.join(__dirname, 'tools/jest/fast-check-setup.cjs')],
  clearMocks: true,
};
