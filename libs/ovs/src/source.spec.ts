import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshot, detectOvs, openOvs, type OvsStatsSource } from './source.js';

const cfg = {
  enabled: 'auto' as const,
  rundir: '/nonexistent/openvswitch',
  db: '',
  megaflowsTop: 20,
  megaflowsMaxDump: 1000,
  timeoutMs: 1000,
};

describe(openOvs.name, () => {
  it('says why there is no OVS instead of failing: absent run directory, or disabled', async () => {
    await expect(openOvs(cfg)).resolves.toEqual({
      present: false,
      reason: expect.stringMatching(/^no Open vSwitch: neither \/nonexistent\/openvswitch\/db\.sock/) as unknown,
    });
    await expect(openOvs({ ...cfg, enabled: 'off' })).resolves.toMatchObject({
      present: false,
      reason: expect.stringMatching(/disabled by configuration/) as unknown,
    });
  });

  it('refuses a malformed remote with a clear message', async () => {
    await expect(openOvs({ ...cfg, db: 'ssl:1.2.3.4:6640' })).rejects.toThrow(/expected unix:PATH or tcp:HOST:PORT/);
  });

  it('opens the sources when the run directory has a pidfile, and a dead daemon is a collection error, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nicscope-ovs-'));
    writeFileSync(join(dir, 'ovs-vswitchd.pid'), '999999\n');
    expect((await detectOvs(dir)).present).toBe(true);
    const o = await openOvs({ ...cfg, rundir: dir });
    if (!o.present) throw new Error('expected OVS to be present');
    try {
      const { errors } = await collectSnapshot(o.sources);
      expect(errors.map((e) => e.source).sort()).toEqual(['ovsdb', 'unixctl']);
      expect(errors.find((e) => e.source === 'unixctl')!.error.message).toMatch(
        /no control socket .*ovs-vswitchd\.999999\.ctl/,
      );
    } finally {
      o.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(collectSnapshot.name, () => {
  it('keeps what working sources collected when another one throws', async () => {
    const good: OvsStatsSource = {
      name: 'good',
      collect: (s) => Promise.resolve(void (s.vswitchd_pid = 42)),
      close: () => undefined,
    };
    const bad: OvsStatsSource = {
      name: 'bad',
      collect: () => Promise.reject(new Error('boom')),
      close: () => undefined,
    };
    const r = await collectSnapshot([good, bad], () => 7);
    expect(r.snapshot).toMatchObject({ at_ms: 7, vswitchd_pid: 42 });
    expect(r.errors.map((e) => [e.source, e.error.message])).toEqual([['bad', 'boom']]);
  });
});
