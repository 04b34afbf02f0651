#!/usr/bin/env node
// Typecheck (tsc --noEmit over apps, libs, tests and benchmarks), lint (ESLint, type-checked rules,
// zero warnings) and format (Prettier --check), run in parallel and all incremental/cached, so an
// unchanged tree is checked in a few seconds.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
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
  ['format', [bin('prettier/bin/prettier.cjs'), '--check', '--cache', '--log-level', 'warn', '.']],
];

const results = await Promise.all(
  steps.map(
    ([name, argv]) =>
      new Promise((resolve) => {
        const t = Date.now();
        let out = '';
        const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ name, code, out, s: (Date.now() - t) / 1000 }));
      }),
  ),
);
let failed = false;
for (const r of results) {
  if (r.code !== 0) {
    process.stderr.write(r.out);
    process.stderr.write(`[check] ${r.name} failed${r.name === 'format' ? ' (npx prettier --write <files>)' : ''}\n`);
    failed = true;
  } else process.stderr.write(`[check] ${r.name} ok (${r.s.toFixed(1)} s)\n`);
}
process.exit(failed ? 1 : 0);
