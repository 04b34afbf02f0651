#!/usr/bin/env node
// Lint (ESLint, type-checked rules, zero warnings) and typecheck (tsc --noEmit over apps, libs,
// tests and benchmarks), both incremental so that an unchanged tree is checked in seconds.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (p) => join(ROOT, 'node_modules', p);
const steps = [
  ['typecheck', [bin('typescript/bin/tsc'), '-p', 'tsconfig.check.json', '--incremental']],
  [
    'lint',
    [
      bin('eslint/bin/eslint.js'),
      '--cache',
      '--cache-strategy',
      'content',
      '--cache-location',
      'node_modules/.cache/eslint/',
      '--max-warnings',
      '0',
      '.',
    ],
  ],
];
for (const [name, argv] of steps) {
  const t = Date.now();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`[check] ${name} failed\n`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`[check] ${name} ok (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}
