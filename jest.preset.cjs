// Shared jest settings: every project transforms TypeScript with SWC (type checking is the
// separate `typecheck` target) and resolves @ecslog/* aliases from tsconfig.base.json.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

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
  globalSetup: path.join(__dirname, 'tools/jest/fast-check-global-setup.cjs'),
  setupFiles: [path.join(__dirname, 'tools/jest/fast-check-setup.cjs')],
  clearMocks: true,
};
