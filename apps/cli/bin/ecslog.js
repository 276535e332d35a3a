#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx's CommonJS hook compiles .ts on require.
require('tsx/cjs');
require('../src/main.ts');
