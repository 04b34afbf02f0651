import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flows } from '../schema/index.js';
import { createRowBuilder } from './builder.js';
import { KeyOrder } from './key-order.js';

const IFACES = ['eth0', 'br-ex', 'tap1', 'veth-a', ''];

describe(KeyOrder.name, () => {
  it('orders any batch as a full comparison sort by the key would, and says null when it is already in order', () => {
    const row = fc.record({
      iface: fc.integer({ min: 0, max: IFACES.length - 1 }),
      // Seconds near each other (ties on the timestamp) and far apart (both 32-bit words differ).
      sec: fc.oneof(fc.integer({ min: 1_764_000_000, max: 1_764_000_003 }), fc.integer({ min: 0, max: 4_000_000_000 })),
      nsec: fc.integer({ min: 0, max: 2 }),
      proto: fc.constantFrom(6, 17),
      src: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 300 }), (rows) => {
        const b = createRowBuilder(flows, rows.length);
        const setTs = b.timeSetter('ts');
        for (const r of rows) {
          b.setIface(IFACES[r.iface]!);
          setTs(r.sec, r.nsec);
          b.setProto(r.proto);
          b.setSrcIp(r.src < 2 ? `10.200.0.${r.src * 200}` : `fd00:200::${r.src === 2 ? '1' : 'ff00'}`);
          b.finalize();
        }
        const key = ['iface', 'ts', 'proto', 'src_ip', 'dst_ip'].map((name) => ({
          store: b.column(name as 'ts'),
          kind: flows.columns.find((c) => c.name === name)!.kind,
        }));
        const order = new KeyOrder(key, rows.length + 1);
        const reference = Array.from({ length: rows.length }, (_, i) => i).sort((x, y) => order.compare(x, y));
        let inOrder = true;
        for (let i = 1; i < rows.length; i++) if (order.compare(i - 1, i) > 0) inOrder = false;
        const got = order.order(rows.length);
        expect(got === null).toBe(inOrder);
        if (got === null) return;
        const perm = Array.from(got.subarray(0, rows.length));
        expect([...perm].sort((x, y) => x - y)).toEqual(reference.map((_, i) => i));
        for (let i = 0; i < rows.length; i++) expect(order.compare(perm[i]!, reference[i]!)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('orders a snapshot of 5000 rows with one string and one time in a comparison sort (not quadratic)', () => {
    const n = 5000;
    const b = createRowBuilder(flows, n);
    const setTs = b.timeSetter('ts');
    for (let i = 0; i < n; i++) {
      b.setIface('eth0');
      setTs(1_764_000_000, i % 2); // a late row first: the insertion sort gives up
      b.setProto(i % 2 ? 6 : 17);
      b.setSrcIp(`10.200.${(i * 7919) % 250}.${i % 250}`);
      b.finalize();
    }
    const key = ['iface', 'ts', 'proto', 'src_ip', 'dst_ip'].map((name) => ({
      store: b.column(name as 'ts'),
      kind: flows.columns.find((c) => c.name === name)!.kind,
    }));
    const order = new KeyOrder(key, n + 1);
    const got = order.order(n)!;
    for (let i = 1; i < n; i++) expect(order.compare(got[i - 1]!, got[i]!)).toBeLessThanOrEqual(0);
  });

  it('fits keys that start with a string and a DateTime64 column, and only those', () => {
    expect(KeyOrder.fits(['LowCardinality', 'DateTime64', 'UInt8'])).toBe(true);
    expect(KeyOrder.fits(['DateTime', 'LowCardinality'])).toBe(false);
    expect(KeyOrder.fits(['LowCardinality', 'DateTime'])).toBe(false);
  });
});
