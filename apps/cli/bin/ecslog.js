#!/usr/bin/env node
// Runs the built CLI (apps/cli/dist, made by `nx run cli:build`; `npm start` builds it first).
// The AWS SDK warns on every run that its releases after January 2027 will need Node 22; this
// install pins its SDK version, so the warning says nothing to act on here.
const { existsSync } = require('node:fs');
const { join, relative } = require('node:path');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(
    `ecslog: not built yet (${relative(process.cwd(), main) || main} is missing): run \`npx nx run cli:build\` first\n`,
  );
  process.exitCode = 1;
} else {
  require(main);
}
