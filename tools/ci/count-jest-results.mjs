#!/usr/bin/env node
// Sums the jest JSON reports (one per project, written by each project's `test` script) into
// the plain closing line CI reads: "N passed, N failed". A suite that crashed before running
// its tests counts as one failure, so a broken file can never look like a clean run.
// Exits 1 when anything failed or when no test ran at all. Above that line it names every failed
// test with the first lines of its message: the end of a CI log is often all that is kept.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'reports/jest';
let passed = 0;
let failed = 0;
let files = [];
try {
  files = readdirSync(dir).filter((name) => name.endsWith('.json'));
} catch {
  files = [];
}
for (const name of files) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
  for (const suite of report.testResults) {
    const file = suite.name.split('/').slice(-3).join('/');
    if (suite.status === 'failed' && suite.assertionResults.length === 0) {
      console.log(`FAILED ${name.replace(/\.json$/, '')} ${file}: ${firstLines(suite.message)}`);
    }
    for (const test of suite.assertionResults) {
      if (test.status !== 'failed') continue;
      const message = firstLines(test.failureMessages.join('\n'));
      console.log(`FAILED ${name.replace(/\.json$/, '')} ${file} › ${test.fullName}: ${message}`);
    }
  }
}
function firstLines(text) {
  return (text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 6)
    .join(' | ')
    .slice(0, 600);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
