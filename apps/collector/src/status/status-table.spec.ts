import { describe, expect, it } from 'vitest';
import { renderStatus, type StatusSnapshot } from './status-table.js';

const snap = (at: number, packets: number, bytes: number): StatusSnapshot => ({
  at,
  interfaces: [{ name: 'eth0', kind: 'physical', packets, bytes, drops: 3, flows: 12, malformed: 0 }],
  rowsWritten: 50_000,
  spoolBytes: 0,
  insertErrors: 0,
  ovs: 'absent',
});

describe(renderStatus.name, () => {
  it('shows per-interface rates over the interval between two snapshots', () => {
    const out = renderStatus(snap(0, 1000, 100_000), snap(2000, 21_000, 2_100_000));
    expect(out).toMatch(/^eth0\s+physical\s+10\.0k\s+1\.0M\s+3\s+12\s+0$/m);
    expect(out).toContain('rows written 50.0k');
  });

  it('shows zero rates for a first snapshot and an interface error', () => {
    const s = snap(0, 5, 500);
    s.interfaces[0]!.error = 'interface went down';
    expect(renderStatus(undefined, s)).toMatch(/eth0\s+physical\s+0\s+0\s+.*! interface went down/);
  });
});
