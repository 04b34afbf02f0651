// Offline reading, writing and filtering against files made by this binding and by Wireshark's editcap.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BpfFilter,
  LinkType,
  OfflineCapture,
  PcapError,
  PcapWriter,
  RECORD_HEADER,
  makeBatch,
  type PacketBatch,
} from './index.js';

/** Ethernet/IPv4/UDP frame, 10.200.0.1:port → 10.200.0.2:port, `pad` payload bytes. */
function udpFrame(sport: number, dport: number, pad: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + pad);
  const v = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, 20 + 8 + pad);
  f[22] = 64;
  f[23] = 17;
  f.set([10, 200, 0, 1, 10, 200, 0, 2], 26);
  v.setUint16(34, sport);
  v.setUint16(36, dport);
  v.setUint16(38, 8 + pad);
  for (let i = 0; i < pad; i++) f[42 + i] = i & 0xff;
  return f;
}

function collect(
  cap: OfflineCapture,
): Array<{ sec: number; nsec: number; caplen: number; wirelen: number; first: number }> {
  const out: Array<{ sec: number; nsec: number; caplen: number; wirelen: number; first: number }> = [];
  let b: PacketBatch | null;
  while ((b = cap.readBatch(7))) {
    for (let i = 0, off = 0; i < b.count; i++) {
      const caplen = b.view.getUint32(off + 8, true);
      out.push({
        sec: b.view.getUint32(off, true),
        nsec: b.view.getUint32(off + 4, true),
        caplen,
        wirelen: b.view.getUint32(off + 12, true),
        first: b.buf[off + RECORD_HEADER + 34]! * 256 + b.buf[off + RECORD_HEADER + 35]!,
      });
      off += RECORD_HEADER + ((caplen + 3) & ~3);
    }
  }
  return out;
}

describe(OfflineCapture.name, () => {
  let dir: string;
  let file: string;
  const N = 50;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-pcap-'));
    file = join(dir, 'eth-ipv4-udp.pcap');
    const w = PcapWriter.open(file, LinkType.EN10MB, 65535);
    const frames = Array.from({ length: N }, (_, i) => ({
      data: udpFrame(1000 + i, i % 5 === 0 ? 53 : 9999, i % 13),
      tsSec: 1700000000 + i,
      tsNsec: 123456789 + i,
    }));
    w.writeBatch(makeBatch(frames.slice(0, 20)));
    for (const f of frames.slice(20)) w.write(f.data, 0, f.data.length, f.data.length + 4, f.tsSec, f.tsNsec);
    w.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what PcapWriter wrote, nanoseconds and lengths intact, in batches', () => {
    const cap = OfflineCapture.open(file);
    expect(cap.linkType).toBe(LinkType.EN10MB);
    expect(cap.tsPrecision).toBe('nano');
    expect(cap.snaplen).toBe(65535);
    const pkts = collect(cap);
    cap.close();
    expect(pkts).toHaveLength(N);
    expect(pkts[0]).toEqual({ sec: 1700000000, nsec: 123456789, caplen: 42, wirelen: 42, first: 1000 });
    expect(pkts[21]).toEqual({ sec: 1700000021, nsec: 123456810, caplen: 42 + 8, wirelen: 42 + 8 + 4, first: 1021 });
    expect(cap.truncatedError).toBeUndefined();
  });

  it('is read by tshark with the same timestamps', () => {
    const out = execFileSync(
      'tshark',
      ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'udp.srcport'],
      { encoding: 'utf8' },
    );
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(N);
    expect(lines[0]!.split('\t')).toEqual(['1700000000.123456789', '42', '1000']);
  });

  it('reads pcapng (converted by editcap) and reports microsecond precision', () => {
    const ng = join(dir, 'eth-ipv4-udp.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', file, ng]);
    const cap = OfflineCapture.open(ng);
    expect(cap.format).toBe('pcapng');
    const pkts = collect(cap);
    cap.close();
    expect(pkts).toHaveLength(N);
    expect(pkts[3]!.first).toBe(1003);
    expect(pkts[3]!.nsec).toBe(123456792);
  });

  it('reads a big-endian microsecond file as libpcap reads the same packets from pcapng', () => {
    // The classic-pcap reader of the addon parses records itself: byte order and precision come
    // from the magic. The reference is libpcap's own reader of the same packets as pcapng.
    const frames = Array.from({ length: 9 }, (_, i) => udpFrame(2000 + i, 53, i * 7));
    const parts: Buffer[] = [];
    const fh = Buffer.alloc(24);
    fh.writeUInt32BE(0xa1b2c3d4, 0);
    fh.writeUInt16BE(2, 4);
    fh.writeUInt16BE(4, 6);
    fh.writeUInt32BE(65535, 16);
    fh.writeUInt32BE(LinkType.EN10MB, 20);
    parts.push(fh);
    frames.forEach((f, i) => {
      const rh = Buffer.alloc(16);
      rh.writeUInt32BE(1700000100 + i, 0);
      rh.writeUInt32BE(999_990 + i, 4); // microseconds
      rh.writeUInt32BE(f.length, 8);
      rh.writeUInt32BE(f.length + i, 12);
      parts.push(rh, Buffer.from(f));
    });
    const be = join(dir, 'big-endian-usec.pcap');
    writeFileSync(be, Buffer.concat(parts));
    const ng = join(dir, 'big-endian-usec.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', be, ng]);
    const read = (f: string): ReturnType<typeof collect> => {
      const cap = OfflineCapture.open(f);
      try {
        return collect(cap);
      } finally {
        cap.close();
      }
    };
    const fast = read(be);
    expect(fast).toEqual(read(ng));
    expect(fast[8]).toEqual({ sec: 1700000108, nsec: 999_998_000, caplen: 42 + 56, wirelen: 42 + 56 + 8, first: 2008 });
  });

  it('keeps snaplen bytes of a record longer than the file snaplen, as libpcap does', () => {
    const small = join(dir, 'snap.pcap');
    const w = PcapWriter.open(small, LinkType.EN10MB, 65535);
    for (let i = 0; i < 3; i++) {
      const f = udpFrame(3000 + i, 53, 100);
      w.write(f, 0, f.length, f.length, 1700000200 + i, 0);
    }
    w.close();
    const bytes = Buffer.from(readFileSync(small));
    bytes.writeUInt32LE(64, 16); // the file header now says snaplen 64; the records are 142 bytes
    writeFileSync(small, bytes);
    const cap = OfflineCapture.open(small);
    const pkts = collect(cap);
    cap.close();
    expect(pkts.map((p) => [p.caplen, p.wirelen, p.first])).toEqual([
      [64, 142, 3000],
      [64, 142, 3001],
      [64, 142, 3002],
    ]);
    expect(cap.truncatedError).toBeUndefined();
    // With a filter libpcap reads the file itself: the same records.
    const viaLibpcap = OfflineCapture.open(small, { filter: 'udp' });
    expect(collect(viaLibpcap)).toEqual(pkts);
    viaLibpcap.close();
  });

  it('applies a filter while reading', () => {
    const cap = OfflineCapture.open(file, { filter: 'udp dst port 53' });
    const pkts = collect(cap);
    cap.close();
    expect(pkts.map((p) => p.first)).toEqual([1000, 1005, 1010, 1015, 1020, 1025, 1030, 1035, 1040, 1045]);
  });

  it('yields the packets before the damage of a truncated file, then names the damage', () => {
    const bytes = readFileSync(file);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const cap = OfflineCapture.open(cut);
    const pkts = collect(cap);
    cap.close();
    expect(pkts).toHaveLength(N - 1);
    expect(cap.truncatedError).toMatch(/cut\.pcap.*truncated.*after 49 packets/);
  });

  it('names a corrupt record length', () => {
    const bytes = Buffer.from(readFileSync(file));
    const bad = join(dir, 'corrupt.pcap');
    // Second record's caplen (record 1 at 24 + 16 + 42) set to 1 GiB.
    bytes.writeUInt32LE(0x40000000, 24 + 16 + 42 + 8);
    writeFileSync(bad, bytes);
    const cap = OfflineCapture.open(bad);
    const pkts = collect(cap);
    cap.close();
    expect(pkts).toHaveLength(1);
    expect(cap.truncatedError).toMatch(/corrupt\.pcap.*(invalid|bigger|larger)/i);
  });

  it('refuses a missing, unreadable, non-pcap or empty file with a clear error', () => {
    expect(() => OfflineCapture.open(join(dir, 'nope.pcap'))).toThrow(/nope\.pcap.*no such file/);
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'this is not a capture file at all\n');
    expect(() => OfflineCapture.open(txt)).toThrow(PcapError);
    expect(() => OfflineCapture.open(txt)).toThrow(/notes\.txt.*unknown file format/);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    expect(() => OfflineCapture.open(empty)).toThrow(/empty\.pcap/);
    expect(() => OfflineCapture.open(dir)).toThrow(/is a directory/);
    const locked = join(dir, 'locked.pcap');
    writeFileSync(locked, readFileSync(file));
    chmodSync(locked, 0o000);
    // root reads anything: only a non-root user would see "permission denied" here.
    if (process.getuid?.() !== 0) expect(() => OfflineCapture.open(locked)).toThrow(/permission denied/);
  });

  it('rejects a bad filter with libpcap text', () => {
    expect(() => OfflineCapture.open(file, { filter: 'udp port' })).toThrow(/bad filter "udp port": .*syntax error/);
  });
});

describe(BpfFilter.name, () => {
  it('tests single packets and whole batches', () => {
    const f = new BpfFilter('udp dst port 53', LinkType.EN10MB);
    const a = udpFrame(1, 53, 0);
    const b = udpFrame(1, 54, 0);
    expect(f.test(a, 0, a.length)).toBe(true);
    expect(f.test(b, 0, b.length)).toBe(false);
    const batch = makeBatch([{ data: a }, { data: b }, { data: a }, { data: udpFrame(9, 53, 3) }]);
    expect(Array.from(f.testBatch(batch))).toEqual([1, 0, 1, 1]);
    expect(f.lastMatches).toBe(3);
  });

  it('throws libpcap text for a bad filter', () => {
    expect(() => new BpfFilter('tcp port 99999999')).toThrow(/bad filter .*port.*/);
    expect(() => new BpfFilter('host and and')).toThrow(/syntax error/);
  });
});
