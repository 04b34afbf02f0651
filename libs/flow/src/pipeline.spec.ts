import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameParser, Reason, RxClass, parseMac } from '@nicscope/packet';
import * as B from '../../packet/test/build.js';
import { FramePipeline, type BatchLike } from './pipeline.js';
import { FlowTable, KEY_RING, type FlowTableOptions } from './table.js';
import { flowToJson } from './ndjson.js';
import { type FlowRecord } from './record.js';

/**
 * FramePipeline decodes and keys frames in groups of KEY_RING before it accounts them (decision
 * 0407). These tests hold it to the plain per-frame path — one parser, FlowTable.add() per frame —
 * over the same frames in many orders: the same flow records, counters and summary.
 */

const OPTS: FlowTableOptions = { maxFlows: 64, idleTimeoutS: 2, activeTimeoutS: 300, interimS: 1 };
const NIC = '02:00:00:00:00:02';

/** Frames as a capture batch: 16-byte headers (sec, nsec, caplen, wirelen), each frame padded to 4 bytes. */
function batchOf(frames: { f: Uint8Array; ms: number; caplen?: number }[]): BatchLike {
  let len = 0;
  for (const x of frames) len += 16 + ((x.f.length + 3) & ~3);
  const buf = new Uint8Array(len);
  const view = new DataView(buf.buffer);
  let off = 0;
  for (const x of frames) {
    view.setUint32(off, 1_700_000_000 + Math.floor(x.ms / 1000), true);
    view.setUint32(off + 4, (x.ms % 1000) * 1e6, true);
    view.setUint32(off + 8, x.caplen ?? x.f.length, true);
    view.setUint32(off + 12, x.f.length, true);
    buf.set(x.f, off + 16);
    off += 16 + ((x.f.length + 3) & ~3);
  }
  return { buf, view, count: frames.length };
}

/** The frames of a few sessions of every kind the flow key distinguishes, fragments included. */
function sessions(): Uint8Array[][] {
  const c = (i: number): string => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
  const tcp = (i: number, flags: number, fromC: boolean, len = 0): Uint8Array =>
    B.eth(
      fromC ? NIC : c(i),
      fromC ? c(i) : NIC,
      0x0800,
      B.ipv4(
        { src: fromC ? `10.200.1.${i}` : '10.200.0.2', dst: fromC ? '10.200.0.2' : `10.200.1.${i}`, proto: 6 },
        B.tcp({ sport: fromC ? 40000 + i : 80, dport: fromC ? 80 : 40000 + i, flags, seq: 1 }, new Uint8Array(len)),
      ),
    );
  const out: Uint8Array[][] = [];
  for (let i = 1; i <= 6; i++)
    out.push([
      tcp(i, 0x02, true),
      tcp(i, 0x12, false),
      tcp(i, 0x10, true, 100),
      tcp(i, 0x11, true),
      tcp(i, 0x11, false),
    ]);
  // UDP in a VLAN and inside VXLAN.
  out.push(
    [1, 2, 3].map((k) =>
      B.eth(
        NIC,
        c(20),
        0x8100,
        B.vlanTag(
          10,
          0x0800,
          B.ipv4({ src: '10.200.2.1', dst: '10.200.0.2', proto: 17 }, B.udp(5000 + k, 53, new Uint8Array(20))),
        ),
      ),
    ),
  );
  out.push(
    [1, 2].map(() =>
      B.eth(
        NIC,
        c(21),
        0x0800,
        B.ipv4(
          { src: '10.200.255.1', dst: '10.200.255.2', proto: 17 },
          B.udp(
            40001,
            4789,
            B.vxlan(
              100,
              B.eth(
                c(22),
                c(23),
                0x0800,
                B.ipv4({ src: '10.200.3.1', dst: '10.200.3.2', proto: 17 }, B.udp(7, 7, new Uint8Array(8))),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  // IPv4 fragments: the first carries the ports, a later one belongs to its flow; one stray later fragment.
  out.push([
    B.eth(
      NIC,
      c(30),
      0x0800,
      B.ipv4(
        { src: '10.200.4.1', dst: '10.200.0.2', proto: 17, id: 77, mf: true },
        B.udp(6000, 6001, new Uint8Array(64), 160),
      ),
    ),
    B.eth(
      NIC,
      c(30),
      0x0800,
      B.ipv4({ src: '10.200.4.1', dst: '10.200.0.2', proto: 17, id: 77, fragOff: 72 }, new Uint8Array(88)),
    ),
  ]);
  out.push([
    B.eth(
      NIC,
      c(31),
      0x0800,
      B.ipv4({ src: '10.200.4.2', dst: '10.200.0.2', proto: 17, id: 78, fragOff: 72 }, new Uint8Array(40)),
    ),
  ]);
  // IPv6 fragments, ARP (keyed by MACs), a frame to another host (promiscuous), a truncated IPv4 header (malformed).
  out.push([
    B.eth(
      NIC,
      c(32),
      0x86dd,
      B.ipv6(
        { src: 'fd00:200::1', dst: 'fd00:200::2', next: 44 },
        B.ip6Frag(17, 0, true, 9, B.udp(7000, 7001, new Uint8Array(16), 48)),
      ),
    ),
    B.eth(
      NIC,
      c(32),
      0x86dd,
      B.ipv6({ src: 'fd00:200::1', dst: 'fd00:200::2', next: 44 }, B.ip6Frag(17, 24, false, 9, new Uint8Array(24))),
    ),
  ]);
  out.push([
    B.pad60(
      B.eth('ff:ff:ff:ff:ff:ff', c(40), 0x0806, B.arp(1, c(40), '10.200.5.1', '00:00:00:00:00:00', '10.200.0.2')),
    ),
  ]);
  out.push([
    B.eth(
      c(41),
      c(42),
      0x0800,
      B.ipv4({ src: '10.200.6.1', dst: '10.200.6.2', proto: 17 }, B.udp(1, 2, new Uint8Array(4))),
    ),
  ]);
  out.push([B.eth(NIC, c(43), 0x0800, new Uint8Array([0x45, 0, 0]))]);
  return out;
}

/** Interleaves the sessions (each keeps its own order) as `picks` says; 10 ms apart, so timeouts and interim records happen. */
function interleave(all: Uint8Array[][], picks: number[]): { f: Uint8Array; ms: number }[] {
  const at = all.map(() => 0);
  const out: { f: Uint8Array; ms: number }[] = [];
  let p = 0;
  for (;;) {
    const open = all.map((s, i) => (at[i]! < s.length ? i : -1)).filter((i) => i >= 0);
    if (open.length === 0) return out;
    const i = open[(picks[p++ % picks.length] ?? 0) % open.length]!;
    out.push({ f: all[i]![at[i]!++]!, ms: out.length * 150 });
  }
}

type Rec = ReturnType<typeof flowToJson>;

function reference(
  frames: { f: Uint8Array; ms: number }[],
  batch: BatchLike,
): { recs: Rec[]; p: FrameParser; t: FlowTable } {
  const recs: Rec[] = [];
  const t = new FlowTable(OPTS, (r: FlowRecord) => recs.push(flowToJson(r, ['eth0'])));
  const p = new FrameParser();
  p.setNic(parseMac(NIC));
  let off = 0;
  for (const x of frames) {
    const caplen = batch.view.getUint32(off + 8, true);
    p.decode(1, batch.buf, batch.view, off + 16, caplen, x.f.length);
    t.add(p, 0, batch.view.getUint32(off, true), batch.view.getUint32(off + 4, true));
    off += 16 + ((caplen + 3) & ~3);
  }
  t.flush();
  return { recs, p, t };
}

function piped(batch: BatchLike): { recs: Rec[]; pipe: FramePipeline } {
  const recs: Rec[] = [];
  const pipe = new FramePipeline(OPTS, (r) => recs.push(flowToJson(r, ['eth0'])));
  pipe.setNic(parseMac(NIC));
  pipe.processBatch(batch, 1, 0);
  pipe.table.flush();
  return { recs, pipe };
}

describe(FramePipeline.name, () => {
  it('gives the same flow records, counters and receive classes as one parser and FlowTable.add() per frame, in any order', () => {
    const all = sessions();
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), (picks) => {
        const frames = interleave(all, picks);
        const batch = batchOf(frames);
        const ref = reference(frames, batch);
        const got = piped(batch);
        expect(got.recs).toEqual(ref.recs);
        const t = got.pipe.table;
        expect([t.flowsCreated, t.unkeyed, t.fragmentsAttributed, t.fragmentsUnmatched, t.evictions]).toEqual([
          ref.t.flowsCreated,
          ref.t.unkeyed,
          ref.t.fragmentsAttributed,
          ref.t.fragmentsUnmatched,
          ref.t.evictions,
        ]);
        expect(t.fragmentsAttributed + t.fragmentsUnmatched).toBe(3);
        expect(Array.from(got.pipe.parser.counters)).toEqual(Array.from(ref.p.counters));
        expect(got.pipe.parser.malformedTotal()).toBe(1);
        // setNic reached every parser of the group: frames to the NIC are HOST wherever they fell.
        const rx = got.pipe.summary.rxClasses;
        expect(rx[RxClass.PROMISC]).toBe(1);
        expect(rx[RxClass.BROADCAST]).toBe(1);
        expect(rx[RxClass.HOST]! + rx[RxClass.OUTGOING]!).toBe(frames.length - 2);
      }),
      { numRuns: 60 },
    );
  });

  it('counts a record that runs past the batch as a decoder exception and accounts every frame around it', () => {
    const frames = interleave(sessions(), [0]);
    const n = KEY_RING + 3; // the bad record falls in the second group
    const good = frames.slice(0, n);
    // An IPv4 header cut by the end of the buffer while its record claims 4000 bytes: the decoder
    // reads past the buffer and throws (no capture writes such a record; a bug could).
    const cut = B.eth(
      NIC,
      NIC,
      0x0800,
      B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, new Uint8Array(8)),
    ).subarray(0, 24);
    const batch = batchOf([...good, { f: cut, ms: 99_000, caplen: 4000 }]);
    const { pipe } = piped(batch);
    expect(pipe.parser.counters[Reason.DECODER_EXCEPTION]).toBe(1);
    expect(pipe.table.packets).toBe(n);
    expect(pipe.summary.frames).toBe(n);
  });

  it('counts a live subscriber that throws as a decoder exception; the frames after it are still accounted', () => {
    const frames = interleave(sessions(), [3, 1, 4, 1, 5, 9, 2, 6]);
    const batch = batchOf(frames);
    const pipe = new FramePipeline(OPTS, () => undefined);
    let seen = 0;
    pipe.onFrame = () => {
      if (++seen === 5) throw new Error('subscriber bug');
    };
    pipe.processBatch(batch, 1, 0);
    expect(seen).toBe(frames.length);
    expect(pipe.parser.counters[Reason.DECODER_EXCEPTION]).toBe(1);
    expect(pipe.table.packets).toBe(frames.length);
  });
});
