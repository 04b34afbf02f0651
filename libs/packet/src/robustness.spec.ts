import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameParser } from './parser.js';
import { REASON_COUNT, Reason } from './ids.js';
import { formatFrameLine, frameSummary } from './format.js';
import * as B from '../test/build.js';

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';
const inner = B.eth(
  M2,
  M1,
  0x0800,
  B.ipv4(
    { src: '10.200.9.1', dst: '10.200.9.2', proto: 6 },
    B.tcp({ sport: 1, dport: 2, flags: 0x18, options: B.synOptions() }, B.hex('0102')),
  ),
);
/** Real frame shapes: every decoder appears in at least one. */
const FRAMES: Array<[string, number, Uint8Array]> = [
  [
    'eth-ipv4-tcp-syn',
    1,
    B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4(
        { src: '10.200.0.1', dst: '10.200.0.2', proto: 6, options: B.hex('01010100') },
        B.tcp({ sport: 40000, dport: 80, flags: 2, options: B.synOptions() }),
      ),
    ),
  ],
  [
    'eth-qinq-ipv4-udp',
    1,
    B.eth(
      M2,
      M1,
      0x88a8,
      B.vlanTag(
        100,
        0x8100,
        B.vlanTag(
          200,
          0x0800,
          B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, B.udp(1, 2, B.hex('abcdef'))),
        ),
      ),
    ),
  ],
  [
    'eth-ipv6-hbh-frag-udp',
    1,
    B.eth(
      M2,
      M1,
      0x86dd,
      B.ipv6(
        { src: 'fd00:200::1', dst: 'fd00:200::2', next: 0 },
        B.cat(B.hex('2c00 0104 00000000'), B.ip6Frag(17, 0, true, 5, B.udp(3, 4, new Uint8Array(8)))),
      ),
    ),
  ],
  [
    'eth-ipv6-icmpv6-ns',
    1,
    B.eth(
      '33:33:ff:00:00:02',
      M1,
      0x86dd,
      B.ipv6(
        { src: 'fd00:200::1', dst: 'ff02::1:ff00:2', next: 58 },
        B.cat(B.hex('8700 0000 00000000'), B.ip6('fd00:200::2'), B.hex('0101'), B.mac(M1)),
      ),
    ),
  ],
  [
    'eth-arp',
    1,
    B.pad60(B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, B.arp(1, M1, '10.200.0.1', '00:00:00:00:00:00', '10.200.0.2'))),
  ],
  [
    'eth-llc-snap-ipv4-icmp',
    1,
    B.eth(
      M2,
      M1,
      44,
      B.cat(
        B.hex('aaaa03 000000 0800'),
        B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 1 }, B.icmpEcho(8, 1, 1)),
      ),
    ),
  ],
  [
    'eth-ipv4-udp-vxlan-eth-ipv4-tcp',
    1,
    B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4({ src: '10.200.0.10', dst: '10.200.0.11', proto: 17 }, B.udp(5000, 4789, B.vxlan(42, inner))),
    ),
  ],
  [
    'eth-ipv4-udp-geneve-eth-ipv4-tcp',
    1,
    B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4(
        { src: '10.200.0.10', dst: '10.200.0.11', proto: 17 },
        B.udp(5000, 6081, B.geneve(7, 0x6558, inner, B.hex('0101 8001 00000000'))),
      ),
    ),
  ],
  [
    'eth-dot1q-ipv4-gre-eth-ipv4-tcp',
    1,
    B.eth(
      M2,
      M1,
      0x8100,
      B.vlanTag(5, 0x0800, B.ipv4({ src: '10.200.0.10', dst: '10.200.0.11', proto: 47 }, B.gre(0x6558, inner, 77))),
    ),
  ],
  ['sll-ipv4-tcp', 113, B.cat(B.hex('0000 0001 0006'), B.mac(M1), B.hex('0000 0800'), inner.subarray(14))],
  ['sll2-ipv4-tcp', 276, B.cat(B.hex('0800 0000 00000007 0001 00 06'), B.mac(M1), B.hex('0000'), inner.subarray(14))],
  ['null-ipv4-tcp', 0, B.cat(B.hex('02000000'), inner.subarray(14))],
  ['raw-ipv4-icmp', 101, B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 1 }, B.icmpEcho(0, 1, 1))],
];

function run(p: FrameParser, lt: number, f: Uint8Array, wirelen = f.length): number {
  return p.decode(lt, f, B.viewOf(f), 0, f.length, wirelen);
}

describe('FrameParser robustness', () => {
  it.each(FRAMES)('decodes %s cleanly, then counts exactly one reason for every cut', (_name, lt, frame) => {
    const p = new FrameParser();
    expect(run(p, lt, frame)).toBe(0);
    expect(p.malformedTotal()).toBe(0);
    const fullCount = p.count;
    let stopped = 0;
    for (let cut = 0; cut < frame.length; cut++) {
      const f = frame.subarray(0, cut);
      const before = p.malformedTotal() + p.snappedFrames;
      const r = run(p, lt, f);
      // Each frame adds at most one count; a cut that removes bytes the decoder needs counts one.
      const added = p.malformedTotal() + p.snappedFrames - before;
      expect(added).toBeLessThanOrEqual(1);
      if (r !== 0) {
        stopped++;
        expect(added).toBe(1);
        expect(p.count).toBeLessThan(fullCount + 1);
      }
      formatFrameLine(p, 0, 0, 'x');
    }
    expect(stopped).toBeGreaterThan(0);
    // The same cuts with the wire length of the whole frame are snaplen cuts, not malformed.
    const q = new FrameParser();
    for (let cut = 1; cut < frame.length; cut++) run(q, lt, frame.subarray(0, cut), frame.length);
    expect(
      q.counters[Reason.ETH_TOO_SHORT]! + q.counters[Reason.IPV4_TOO_SHORT]! + q.counters[Reason.TCP_TOO_SHORT]!,
    ).toBe(0);
    expect(q.snappedFrames).toBeGreaterThan(0);
  });

  it('never throws on real frames with corrupted bytes (length fields included)', () => {
    const p = new FrameParser();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: FRAMES.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (which, edits, cutSeed) => {
          const [, lt, frame] = FRAMES[which]!;
          const f = frame.slice();
          for (const [pos, val] of edits) f[pos % f.length] = val;
          const cut = f.subarray(0, f.length - (cutSeed % 4));
          const r = run(p, lt, cut);
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThan(REASON_COUNT);
          expect(p.count).toBeLessThanOrEqual(16);
          frameSummary(p, 1, 2, 'x');
        },
      ),
      { numRuns: 3000 },
    );
    expect(p.counters[Reason.DECODER_EXCEPTION]).toBe(0);
  });

  it('never throws on random bytes for every link type, and counts what it rejects', () => {
    const p = new FrameParser();
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 276, 42),
        fc.uint8Array({ maxLength: 200 }),
        (lt, bytes) => {
          const before = p.malformedTotal();
          const r = run(p, lt, bytes);
          if (r !== 0) {
            rejected++;
            expect(p.malformedTotal()).toBe(before + 1);
          }
          formatFrameLine(p, 0, 0, 'x');
        },
      ),
      { numRuns: 5000 },
    );
    expect(rejected).toBeGreaterThan(0);
    expect(p.counters[Reason.LINKTYPE_UNKNOWN]).toBeGreaterThan(0);
    expect(p.counters[Reason.DECODER_EXCEPTION]).toBe(0);
  });

  it('counts each length-field corruption under its own reason', () => {
    const p = new FrameParser();
    const syn = B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 6 }, B.tcp({ sport: 1, dport: 2, flags: 2 })),
    );
    const bad = (pos: number, val: number): number => {
      const f = syn.slice();
      f[pos] = val;
      return run(p, 1, f);
    };
    expect(bad(14, 0x4f)).toBe(Reason.IPV4_TOO_SHORT); // IHL 60 > available
    expect(bad(14, 0x43)).toBe(Reason.IPV4_BAD_IHL);
    expect(bad(17, 10)).toBe(Reason.IPV4_BAD_TOTAL_LEN);
    expect(bad(14 + 20 + 12, 0xf0)).toBe(Reason.TCP_TOO_SHORT); // data offset 60 > available
    expect(bad(14 + 20 + 12, 0x10)).toBe(Reason.TCP_BAD_OFFSET);
    for (const r of [
      Reason.IPV4_TOO_SHORT,
      Reason.IPV4_BAD_IHL,
      Reason.IPV4_BAD_TOTAL_LEN,
      Reason.TCP_TOO_SHORT,
      Reason.TCP_BAD_OFFSET,
    ]) {
      expect(p.counters[r]).toBe(1);
    }
  });
});

export { FRAMES };
