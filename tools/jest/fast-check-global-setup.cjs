// Picks one fast-check seed per test run and prints it, so any failing property can be
// replayed exactly: FC_SEED=<seed> npm test. Workers read it in fast-check-setup.cjs.
module.exports = async () => {
  if (!process.env.FC_SEED) process.env.FC_SEED = String(Date.now() % 2 ** 31);
  process.stderr.write(
    `\nfast-check seed: ${process.env.FC_SEED} (replay with FC_SEED=${process.env.FC_SEED})\n`,
  );
};
