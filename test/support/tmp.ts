/**
 * Temporary directories that tests remove after themselves (a test run used to leave a dozen
 * under /tmp, pcap files included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const remove = (dir: string) => (): void => rmSync(dir, { recursive: true, force: true });

/** A new directory `<tmp>/<prefix>-XXXXXX`, removed when the test that called this ends. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  onTestFinished(remove(dir));
  return dir;
}

/** The same for a describe block or a file (call it at collection time): removed after its tests. */
export function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(remove(dir));
  return dir;
}
