#!/usr/bin/env node
// `npm run bench [-- bench/<area>.bench.ts]`: set-up, then the benchmarks one file at a time.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = (argv) => spawnSync(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
if (node([join(ROOT, 'scripts/setup.mjs'), '--for', 'test']) !== 0) process.exit(1);
process.exit(
  node([
    join(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '-c',
    'vitest.bench.config.mts',
    ...process.argv.slice(2),
  ]),
);
