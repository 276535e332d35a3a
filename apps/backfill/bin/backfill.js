#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx's CommonJS hook compiles .ts on require.
// The AWS SDK warns on every run that its releases after January 2027 will need Node 22; this
// install pins its SDK version, so the warning says nothing to act on here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../src/main.ts');
