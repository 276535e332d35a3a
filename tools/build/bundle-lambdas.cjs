// Bundles Lambda handlers with esbuild for the nodejs22.x runtime (CommonJS, minified, source
// maps), clearing the output folder first, and prints each bundle's size. Everything is bundled,
// the AWS SDK included: the runtime's SDK changes without notice, so a bundle runs exactly the
// SDK its tests ran against. `module` before `main` picks ES builds, which tree-shake smaller.
const { readFileSync, rmSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const { gzipSync } = require('node:zlib');
const esbuild = require('esbuild');

/**
 * @param {{ appDir: string, outdir: string, handlers: Record<string, string> }} options
 *   `handlers` maps an output path without extension (`index`, `kinesis/index`) to an entry file
 *   relative to `appDir`.
 */
async function bundleLambdas({ appDir, outdir, handlers }) {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: appDir,
    entryPoints: Object.entries(handlers).map(([out, entry]) => ({ out, in: entry })),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    // Workspace libs from their TypeScript sources (ES modules, which tree-shake), not their dist.
    conditions: ['@ecslog/source'],
    logLevel: 'warning',
  });
  for (const out of Object.keys(handlers)) {
    const file = join(outdir, `${out}.js`);
    const gzip = gzipSync(readFileSync(file)).length;
    console.log(`${relative(process.cwd(), file)}  ${kb(statSync(file).size)} (gzip ${kb(gzip)})`);
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Runs a bundling from a build script, exiting 1 with the error if it fails. */
function runBuild(build) {
  build().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { bundleLambdas, runBuild };
