const preset = require('../../jest.preset.cjs');

// Each spec runs the real nx (a project graph takes a few seconds on 2 cores).
module.exports = { ...preset, displayName: 'workspace', rootDir: __dirname, testTimeout: 120_000 };
