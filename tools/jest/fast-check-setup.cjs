// Runs in every test file: applies the run's seed (see global-setup.cjs).
const fc = require('fast-check');

const seed = Number(process.env.FC_SEED);
fc.configureGlobal({
  ...(Number.isInteger(seed) ? { seed } : {}),
  numRuns: Number(process.env.FC_NUM_RUNS) || 200,
});
