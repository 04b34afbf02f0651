import { describe, expect, it } from 'vitest';
import { flows, frames } from '../schema/index.js';
import { createRowBuilder } from './builder.js';
import { writeIp } from './ip.js';

describe(createRowBuilder.name, () => {
  it('has one typed setter per column and encodes a row in RowBinary in declaration order', () => {
    const b = createRowBuilder(frames, 4);
    b.setTs(1_700_000_000_123_456_789n);
    b.setIface('eth0');
    b.setDirection('in');
    b.setRxMode('promisc');
    b.setWireLen(60);
    b.setSrcIp('10.200.0.1');
    b.setSummary('x');
    b.finalize();
    const buf = b.encode();
    expect(buf.readBigInt64LE(0)).toBe(1_700_000_000_123_456_789n); // ts
    expect(buf[8]).toBe(0); // collector: empty string
    expect(buf[9]).toBe(4); // iface length
    expect(buf.toString('latin1', 10, 14)).toBe('eth0');
    expect(buf[14]).toBe(2); // direction 'in' = 2
    expect(buf[15]).toBe(4); // rx_mode 'promisc' = 4
    expect(buf.length).toBe(8 + 1 + 5 + 1 + 1 + 4 + 4 + 4 + 8 + 8 + 2 + 2 + 1 + 4 + 1 + 16 + 16 + 2 + 2 + 2 + 1 + 2);
  });

  it('starts every row from zero: no value of the previous row survives', () => {
    const b = createRowBuilder(flows, 4);
    b.setIface('eth1');
    b.setPacketsFwd(7);
    b.setSrcIp('fd00:200::1');
    b.finalize();
    b.finalize(); // second row: nothing set
    const two = b.encode();
    const fresh = createRowBuilder(flows, 4);
    fresh.finalize();
    const empty = fresh.encode();
    expect(two.subarray(two.length - empty.length).equals(empty)).toBe(true);
    expect(two.length).toBeGreaterThan(2 * empty.length);
    b.clear();
    b.finalize();
    expect(b.encode().equals(empty)).toBe(true);
  });

  it('counts a value it cannot store (bad address, unknown enum) and stores zero instead', () => {
    const b = createRowBuilder(flows, 2);
    b.setSrcIp('10.200.0.300');
    b.setRecordType('bogus' as 'final');
    b.finalize();
    expect(b.badValues).toBe(2);
  });

  it('calls onFull when the last row is committed, and refuses a row beyond capacity', () => {
    const b = createRowBuilder(flows, 2);
    let full = 0;
    b.onFull = () => full++;
    b.finalize();
    b.finalize();
    expect(full).toBe(1);
    expect(() => b.finalize()).toThrow(/full \(2 rows\)/);
  });
});

describe(writeIp.name, () => {
  const ip = (v: string | number | Uint8Array): string => {
    const out = new Uint8Array(16);
    expect(writeIp(v, out, 0)).toBe(true);
    return Buffer.from(out).toString('hex');
  };
  it('maps IPv4 text and numbers to ::ffff:a.b.c.d', () => {
    expect(ip('10.200.0.1')).toBe('00000000000000000000ffff0ac80001');
    expect(ip(0x0ac80001)).toBe('00000000000000000000ffff0ac80001');
  });
  it('parses IPv6 text with :: and an embedded IPv4 tail', () => {
    expect(ip('fd00:200::1')).toBe('fd000200000000000000000000000001');
    expect(ip('::')).toBe('00000000000000000000000000000000');
    expect(ip('::ffff:10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(ip('1:2:3:4:5:6:7:8')).toBe('00010002000300040005000600070008');
  });
  it('refuses malformed text without throwing', () => {
    const out = new Uint8Array(16);
    for (const bad of ['1::2::3', 'fd00:200:::1', '10.1.1', 'g::1', '1:2:3:4:5:6:7:8:9'])
      expect(writeIp(bad, out, 0)).toBe(false);
  });
});
