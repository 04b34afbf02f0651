// `nicscope replay` as a user runs it: NDJSON flows, summary, frame lines, and bad input (missing,
// not a capture, truncated) answered with a clear message and the right exit code. No root needed.
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowJson } from '@nicscope/flow';
import { writeMixedPcap } from '../../bench/gen/mixed-pcap.js';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'nicscope.js');
/** The compiled CLI that bin/nicscope.js runs after its build check (built once in beforeAll). */
const MAIN = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

function nicscope(
  args: string[],
  entry = `require(${JSON.stringify(MAIN)}).main(process.argv)`,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', entry, 'nicscope', ...args],
      { cwd: ROOT, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

describe('nicscope replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-replay-'));
  const pcap = join(dir, 'mixed.pcap');
  beforeAll(async () => {
    writeMixedPcap(pcap, 3000, 200);
    // Build once here (bin/nicscope.js builds when sources changed), not inside a test's time limit.
    const r = await new Promise<number>((res) =>
      execFile(process.execPath, [BIN, '--version'], { cwd: ROOT }, (e) => res(e ? 1 : 0)),
    );
    expect(r).toBe(0);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one NDJSON record per flow whose packets add up to the file', async () => {
    const out = join(dir, 'flows.ndjson');
    const r = await nicscope(['replay', pcap, '--flows-out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^3000 frames, \d+ flows, \d+ records in/m);
    const flows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowJson);
    expect(flows.reduce((a, f) => a + f.packets_fwd + f.packets_rev, 0)).toBe(3000);
    expect(flows.some((f) => f.tunnel_type === 'vxlan' && f.proto === 6)).toBe(true);
    expect(flows.some((f) => f.vlan > 0)).toBe(true);
    expect(flows.some((f) => f.ip_version === 6)).toBe(true);
    expect(flows.some((f) => f.ethertype === 0x0806 && f.src_ip === null)).toBe(true);
    expect(flows.filter((f) => f.proto === 6 && f.end_reason === 'fin').length).toBeGreaterThan(0);
    for (const f of flows) expect(f.first_ts).toMatch(/^\d{10}\.\d{9}$/);
  });

  it('prints totals with --summary --json and frame lines with --print', async () => {
    const s = await nicscope(['replay', pcap, '--summary', '--json']);
    expect(s.code).toBe(0);
    const j = JSON.parse(s.stdout) as {
      frames: number;
      layers: Record<string, number>;
      inner_layers: Record<string, number>;
      malformed: object;
    };
    expect(j.frames).toBe(3000);
    expect(j.layers.ethernet).toBe(3000);
    expect(j.inner_layers.tcp).toBeGreaterThan(0);
    expect(j.malformed).toEqual({});
    const p = await nicscope(['replay', pcap, '--print', '--iface', 'eth9']);
    const lines = p.stdout.trim().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{9} eth9 /);
  });

  it('refuses a missing file and a file that is not a capture with exit 2 and a clear message', async () => {
    const missing = await nicscope(['replay', join(dir, 'nope.pcap')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nicscope: cannot read ".*nope\.pcap": no such file/);
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'this is not a capture file at all\n'.repeat(10));
    const bad = await nicscope(['replay', text]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nicscope: .*text\.pcap/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('processes a truncated file up to the damage, writes those flows and exits 1', async () => {
    const cut = join(dir, 'cut.pcap');
    copyFileSync(pcap, cut);
    truncateSync(cut, Math.floor(statSync(pcap).size / 2) + 7);
    const out = join(dir, 'cut.ndjson');
    const r = await nicscope(['replay', cut, '--flows-out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the frames before it were processed/);
    const n = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowJson)
      .reduce((a, f) => a + f.packets_fwd + f.packets_rev, 0);
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThan(3000);
  });
});
