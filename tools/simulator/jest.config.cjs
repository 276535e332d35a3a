const preset = require('../../jest.preset.cjs');

module.exports = { ...preset, displayName: 'simulator', rootDir: __dirname };
