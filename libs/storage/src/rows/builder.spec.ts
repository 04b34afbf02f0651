import { describe, expect, it } from 'vitest';
import { flows, frames } from '../schema/index.js';
import { createRowBuilder } from './builder.js';
import { writeIp } from './ip.js';

interface NativeColumn {
  name: string;
  type: string;
  values: unknown[];
}

/** Reads a Native block back (the types the builders write), to check encode() byte for byte. */
function readNative(buf: Buffer): { rows: number; columns: NativeColumn[] } {
  let o = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[o++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  const str = (): string => {
    const n = varint();
    o += n;
    return buf.toString('utf8', o - n, o);
  };
  const ncols = varint();
  const rows = varint();
  const columns: NativeColumn[] = [];
  for (let c = 0; c < ncols; c++) {
    const name = str();
    const type = str();
    const values: unknown[] = [];
    for (let r = 0; r < rows; r++) {
      if (type === 'String') values.push(str());
      else if (type === 'IPv6') values.push(buf.toString('hex', o, (o += 16)));
      else if (type === 'UInt8' || type.startsWith('Enum8')) values.push(buf[o++]);
      else if (type === 'UInt16') values.push(buf.readUInt16LE((o += 2) - 2));
      else if (type === 'UInt32' || type === 'IPv4' || type.startsWith('DateTime('))
        values.push(buf.readUInt32LE((o += 4) - 4));
      else if (type === 'Float64') values.push(buf.readDoubleLE((o += 8) - 8));
      else if (type.startsWith('DateTime64') || type === 'Int64') values.push(buf.readBigInt64LE((o += 8) - 8));
      else if (type === 'UInt64') values.push(buf.readBigUInt64LE((o += 8) - 8));
      else throw new Error(`unexpected type ${type}`);
    }
    columns.push({ name, type, values });
  }
  expect(o).toBe(buf.length);
  return { rows, columns };
}

describe(createRowBuilder.name, () => {
  it('has one typed setter per column and encodes the rows as one Native block in declaration order', () => {
    const b = createRowBuilder(frames, 4);
    b.setTs(1_700_000_000_123_456_789n);
    b.setIface('eth0');
    b.setDirection('in');
    b.setRxMode('promisc');
    b.setWireLen(60);
    b.setSrcIp('10.200.0.1');
    b.setSrcMac(0x02_00_00_00_00_01);
    b.setSummary('x');
    b.finalize();
    b.setIface('vethé'); // non-ASCII: UTF-8 with its byte length
    b.setWireLen(4_000_000_000);
    b.finalize();
    const block = readNative(b.encode());
    expect(block.rows).toBe(2);
    expect(block.columns.map((c) => c.name)).toEqual(frames.columns.map((c) => c.name));
    const col = (name: string) => block.columns.find((c) => c.name === name)!;
    expect(col('ts').type).toBe("DateTime64(9, 'UTC')");
    expect(col('ts').values).toEqual([1_700_000_000_123_456_789n, 0n]);
    expect(col('iface').type).toBe('String'); // LowCardinality travels as String
    expect(col('iface').values).toEqual(['eth0', 'vethé']);
    expect(col('direction').type).toBe("Enum8('unknown' = 1, 'in' = 2, 'out' = 3)");
    expect(col('direction').values).toEqual([2, 1]); // unset enum: the first value
    expect(col('wire_len').values).toEqual([60, 4_000_000_000]);
    expect(col('src_mac').values).toEqual([0x02_00_00_00_00_01n, 0n]);
    expect(col('src_ip').values).toEqual(['00000000000000000000ffff0ac80001', '0'.repeat(32)]);
    expect(col('summary').values).toEqual(['x', '']);
  });

  it('starts every row from zero: no value of the previous row survives', () => {
    const b = createRowBuilder(flows, 4);
    b.setIface('eth1');
    b.setPacketsFwd(7);
    b.setSrcIp('fd00:200::1');
    b.finalize();
    b.finalize(); // second row: nothing set
    const two = readNative(b.encode());
    const fresh = createRowBuilder(flows, 4);
    fresh.finalize();
    const empty = readNative(fresh.encode());
    // Encoded in sort-key order: the empty row ('' interface) comes first.
    expect(two.columns.find((c) => c.name === 'iface')!.values).toEqual(['', 'eth1']);
    for (const [i, c] of two.columns.entries())
      expect([c.name, c.values[0]]).toEqual([c.name, empty.columns[i]!.values[0]]);
    expect(two.columns.find((c) => c.name === 'packets_fwd')!.values).toEqual([0n, 7n]);
    b.clear();
    b.finalize();
    expect(b.encode().equals(fresh.encode())).toBe(true);
  });

  it('sets a DateTime64 from seconds and nanoseconds exactly as the bigint would be', () => {
    const b = createRowBuilder(flows, 8);
    const setTs = b.timeSetter('ts');
    const cases: [number, number][] = [
      [0, 0],
      [1, 999_999_999],
      [1_700_000_000, 123_456_789],
      [1_799_999_999, 999_999_999],
      [4_294_967_295, 999_999_999],
      [65_536, 1],
    ];
    for (const [sec, nsec] of cases) {
      setTs(sec, nsec);
      b.finalize();
    }
    const ts = readNative(b.encode()).columns.find((c) => c.name === 'ts')!.values;
    // Encoded in sort-key order (iface, then ts): by time.
    const want = cases
      .map(([sec, nsec]) => BigInt(sec) * 1_000_000_000n + BigInt(nsec))
      .sort((x, y) => (x < y ? -1 : 1));
    expect(ts).toEqual(want);
  });

  it("encodes 64-bit integers exactly above 2³², and a negative one (bad input) as its two's complement", () => {
    const b = createRowBuilder(flows, 8);
    const big = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 123_456_789_012_345, Number.MAX_SAFE_INTEGER];
    for (const v of big) {
      b.setIface('eth0');
      b.setBytesFwd(v);
      b.finalize();
    }
    const col = (x: Buffer) => readNative(x).columns.find((c) => c.name === 'bytes_fwd')!.values;
    expect(col(b.encode())).toEqual(big.map((v) => BigInt(v)));
    b.clear();
    b.setBytesFwd(2 ** 40);
    b.finalize();
    b.setBytesFwd(-1);
    b.finalize();
    expect(col(b.encode())).toEqual([2n ** 40n, 2n ** 64n - 1n]);
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
