// Lint for every project: typescript-eslint (type-aware), Nx module boundaries, Prettier.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import { readFileSync } from 'node:fs';

// The project layers (which tags may import which), shared with tools/workspace's graph checks.
const layers = JSON.parse(
  readFileSync(new URL('./tools/workspace/layers.json', import.meta.url), 'utf8'),
);

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out-tsc/**',
      '**/dist-web/**',
      '**/cdk.out/**',
      '**/.cdk-home/**',
      '**/coverage/**',
      'reports/**',
      '.nx/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: Object.entries(layers.imports).map(([sourceTag, tags]) => ({
            sourceTag,
            onlyDependOnLibsWithTags: tags,
          })),
        },
      ],
    },
  },
  {
    // The mapper is the functional core: no I/O, no AWS SDK, no Lambda types. Only its
    // `testing` entry point (generators and fixture loading for tests) may touch the file system.
    files: ['libs/ecs-event-mapper/src/**/*.ts'],
    ignores: ['libs/ecs-event-mapper/src/testing/**', 'libs/ecs-event-mapper/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'zlib', 'child_process'],
              message: 'ecs-event-mapper is pure: no I/O.',
            },
            {
              group: ['@aws-sdk/*', '@smithy/*', 'aws-lambda', '@aws-lambda-powertools/*'],
              message: 'ecs-event-mapper depends on no AWS package.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'ecs-event-mapper is pure: no process access.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'No clock reads in the mapper: time is an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'No clock reads in the mapper: time is an argument.',
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'The mapper is deterministic.' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
