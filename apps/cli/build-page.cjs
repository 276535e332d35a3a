#!/usr/bin/env node
// Builds the web view's page for the browser into dist-web/: `src/web/page/main.ts` as app.js
// (ECharts included) and `first-request.ts` as first-request.js (it sends the first timeline
// request while app.js loads), bundled and minified by esbuild, beside the page's index.html and
// app.css. `ecslog ui` serves these files as they are (see src/web/page-assets.ts).
const { copyFileSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const PAGE_SOURCES = join(__dirname, 'src/web/page');
const OUT_DIR = join(__dirname, 'dist-web');

async function buildPage() {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  await esbuild.build({
    entryPoints: {
      app: join(PAGE_SOURCES, 'main.ts'),
      'first-request': join(PAGE_SOURCES, 'first-request.ts'),
    },
    outdir: OUT_DIR,
    bundle: true,
    // Workspace libs (the page uses task-runs) from their TypeScript sources, as the Lambda
    // bundles do: this runs before any lib is built, and ES modules tree-shake.
    conditions: ['@ecslog/source'],
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css'])
    copyFileSync(join(PAGE_SOURCES, file), join(OUT_DIR, file));
}

buildPage().catch((error) => {
  console.error(error);
  process.exit(1);
});
