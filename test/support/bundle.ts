/**
 * Bundles a test fixture (a TypeScript entry that imports the project's sources) into one .cjs
 * file with rolldown (shipped with vite), for tests that run it as a real child process. The
 * database clients stay external: the child loads them from the project's node_modules (run it
 * with NODE_PATH set to it).
 */
import { join } from 'node:path';
import { run } from './exec.js';

const ROOT = join(__dirname, '../..');

/** Bundles `entry` (a path from the repository root) to `file`; returns `file`. */
export async function bundleFixture(entry: string, file: string): Promise<string> {
  await run(
    [
      join(ROOT, 'node_modules/.bin/rolldown'),
      join(ROOT, entry),
      '--platform',
      'node',
      '--format',
      'cjs',
      '--file',
      file,
      '--external',
      '@clickhouse/client',
      '--external',
      'chdb/connection',
    ],
    { timeoutMs: 60_000 },
  );
  return file;
}
