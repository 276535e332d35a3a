// Runs once per jest run, before the workers start (they inherit process.env):
// - picks one fast-check seed and prints it, so any failing property can be replayed exactly
//   (FC_SEED=<seed> npm test); fast-check-setup.cjs applies it in every test file;
// - silences the AWS SDK's "Node 20 will not be supported from 2027" warning, printed by every
//   test file that creates a client (the Lambdas run on nodejs22.x; the warning says nothing
//   about the code under test).
module.exports = async () => {
  if (!process.env.FC_SEED) process.env.FC_SEED = String(Date.now() % 2 ** 31);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.stderr.write(
    `\nfast-check seed: ${process.env.FC_SEED} (replay with FC_SEED=${process.env.FC_SEED})\n`,
  );
};
