#!/usr/bin/env node
// The nicscope command: makes sure the project is set up and built (scripts/setup.mjs does nothing
// when all is current), then runs the compiled CLI.
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const setup = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--for', 'start', '--quiet'], {
  stdio: 'inherit',
});
if (setup.status !== 0) process.exit(setup.status ?? 1);
require(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'))
  .main(process.argv)
  .catch((e) => {
    process.stderr.write(`nicscope: ${e && e.stack ? e.stack : String(e)}\n`);
    process.exit(1);
  });
