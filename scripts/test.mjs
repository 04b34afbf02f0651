#!/usr/bin/env node
// `npm test`: set-up (scripts/setup.mjs), lint + typecheck (scripts/check.mjs), then every vitest
// test, and last a plain `N passed, N failed` line from vitest's JSON report (CI reads it).
// Arguments go to vitest: `npm test -- libs/packet` runs one folder's tests (after the checks).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = (argv) => spawnSync(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;

if (node([join(ROOT, 'scripts/setup.mjs'), '--for', 'test']) !== 0) process.exit(1);
const checks = node([join(ROOT, 'scripts/check.mjs')]);

const report = join(ROOT, 'node_modules/.cache/vitest/report.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });
const vitest = node([
  join(ROOT, 'node_modules/vitest/vitest.mjs'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  // A suite that fails to load has no failed tests but is a failure all the same.
  if (failed === 0 && vitest !== 0) failed = Math.max(1, r.numFailedTestSuites ?? 0);
} else if (vitest !== 0) failed = 1;
if (checks !== 0) {
  process.stderr.write('lint or typecheck failed (see above)\n');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest !== 0 || checks !== 0 ? 1 : 0);
