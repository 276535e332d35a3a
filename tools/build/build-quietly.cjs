#!/usr/bin/env node
// `node tools/build/build-quietly.cjs <project>…`: runs `nx run-many -t build` for the projects
// (cached by Nx, so a second run takes seconds) and prints one line; on a failure it prints the
// whole Nx output and exits with its status. `npm start` runs it for the CLI before `ecslog
// local`, `npm run bench` for what the benchmarks run built (the CLI, the ingest bundle).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const projects = process.argv.slice(2);
if (projects.length === 0) {
  console.error('usage: build-quietly.cjs <project>…');
  process.exit(2);
}
const started = Date.now();
const nx = spawnSync(
  process.execPath,
  [
    require.resolve('nx/bin/nx.js'),
    'run-many',
    '-t',
    'build',
    `--projects=${projects.join(',')}`,
    '--outputStyle=static',
  ],
  { cwd: join(__dirname, '..', '..'), encoding: 'utf8', env: { NX_TUI: 'false', ...process.env } },
);
const output = `${nx.stdout ?? ''}${nx.stderr ?? ''}`;
if (nx.error || nx.status !== 0) {
  process.stderr.write(output);
  if (nx.error) console.error(nx.error.message);
  process.exit(nx.status || 1);
}
const cache = /Cache:\s+(\d+)\/(\d+) hit/.exec(output);
const reuse = cache ? `, ${cache[1]} of ${cache[2]} tasks from the Nx cache` : '';
console.error(
  `built ${projects.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s${reuse}`,
);
