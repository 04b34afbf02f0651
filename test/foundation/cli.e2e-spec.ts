// The `nicscope` command as a user runs it from a clone: help, config, exit codes.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testDir } from '../support/tmp.js';
import { run, tryRun } from '../support/exec.js';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'nicscope.js');

function nicscope(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    void import('node:child_process').then(({ execFile }) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, ...env }, cwd: ROOT },
        (err, stdout, stderr) => {
          resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
        },
      );
    });
  });
}

describe('nicscope command', () => {
  it('prints help with every subcommand, and help for a subcommand', async () => {
    const top = await nicscope(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: nicscope/);
    expect(top.stdout).toMatch(/config/);
    const sub = await nicscope(['config', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/Usage: nicscope config/);
  });

  it('runs through npx from the clone', async () => {
    const r = await run(['npx', '--no-install', 'nicscope', '--version'], { timeoutMs: 60_000 });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints the effective configuration with the source of each value', async () => {
    const r = await nicscope(['config'], { NICSCOPE_API_PORT: '9999' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^api\.port\s+9999\s+env NICSCOPE_API_PORT$/m);
    expect(r.stdout).toMatch(/^dataDir\s+"\.\/data"\s+default$/m);
    const json = await nicscope(['config', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      config: { clickhouse: { url: string } };
      sources: Record<string, string>;
    };
    expect(parsed.config.clickhouse.url).toBe('');
    expect(parsed.sources['clickhouse.url']).toBe('default');
  });

  it('hides the ClickHouse password', async () => {
    const r = await nicscope(['config'], { NICSCOPE_CLICKHOUSE_PASSWORD: 's3cret' });
    expect(r.stdout).not.toContain('s3cret');
    expect(r.stdout).toMatch(/clickhouse\.password\s+"\*\*\*"/);
  });

  it('exits 2 naming the key, the value and what is accepted', async () => {
    const r = await nicscope(['config'], { NICSCOPE_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'NICSCOPE_LOG_LEVEL="loud": expected one of trace, debug, info, warn, error, fatal, silent',
    );
  });

  it('reads a --config file and reports its bad keys with exit 2', async () => {
    const dir = testDir('nicscope-cfg');
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'storage:\n  flushRows: 1234\n');
    const r = await nicscope(['--config', good, 'config']);
    expect(r.stdout).toMatch(/^storage\.flushRows\s+1234\s+file .*good\.yaml$/m);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'storage:\n  flushRows: lots\n');
    const b = await nicscope(['--config', bad, 'config']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('storage.flushRows="lots"');
    const missing = await nicscope(['--config', join(dir, 'nope.yaml'), 'config']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it('exits 2 on an unknown subcommand or option', async () => {
    expect((await nicscope(['frobnicate'])).code).toBe(2);
    expect((await nicscope(['config', '--bogus'])).code).toBe(2);
  });

  it('keeps set-up quiet and quick once everything is current', async () => {
    const t = Date.now();
    const r = await tryRun([process.execPath, join(ROOT, 'scripts/setup.mjs'), '--for', 'test']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(Date.now() - t).toBeLessThan(5000);
  });
});
