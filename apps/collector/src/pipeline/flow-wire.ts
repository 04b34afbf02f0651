/**
 * Flow records from a capture worker to the main thread without objects: each record is a fixed
 * run of float64 slots in a growing Float64Array that is transferred (not copied) with
 * postMessage. The main thread reads the slots straight into the `flows` row builder.
 *
 * The flow table emits per-record deltas; the wire also carries the flow's running totals and a
 * flow id (a hash of the key and the first timestamp), kept by `FlowTotals` in the worker for the
 * flows that have had an interim record.
 */
import { EndReason, type FlowRecord } from '@nicscope/flow';

export const S = {
  iface: 0,
  vlan: 1,
  tunnelType: 2,
  tunnelId: 3,
  ipVersion: 4,
  proto: 5,
  etherType: 6,
  src0: 7, // 4 slots
  dst0: 11, // 4 slots
  srcPort: 15,
  dstPort: 16,
  srcMac: 17,
  dstMac: 18,
  pFwd: 19,
  bFwd: 20,
  pRev: 21,
  bRev: 22,
  totPFwd: 23,
  totBFwd: 24,
  totPRev: 25,
  totBRev: 26,
  firstSec: 27,
  firstNsec: 28,
  lastSec: 29,
  lastNsec: 30,
  flagsFwd: 31,
  flagsRev: 32,
  rttUs: 33,
  retransmits: 34,
  endReason: 35,
  flowId: 36,
  vlanInner: 37,
} as const;
export const SLOTS = 38;

/**
 * A 52-bit flow id: two 32-bit lanes over the key's words and the first timestamp, each word mixed
 * in whole (MurmurHash3's block step, two seeds), finished with its fmix32.
 */
// The two running lanes of flowId (module state: no closure or array per record).
let ha = 0;
let hb = 0;
function add(w: number): void {
  let k = Math.imul(w, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  ha ^= k;
  ha = (Math.imul((ha << 13) | (ha >>> 19), 5) + 0xe6546b64) | 0;
  hb ^= k;
  hb = (Math.imul((hb << 11) | (hb >>> 21), 9) + 0x7f4a7c15) | 0;
}
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function flowId(r: FlowRecord, firstSec: number, firstNsec: number): number {
  ha = 0x811c9dc5;
  hb = 0x01234567;
  add(r.iface);
  add(r.vlan);
  add(r.vlanInner);
  add(r.tunnelType);
  add(r.tunnelId);
  add(r.proto);
  add(r.etherType);
  for (let i = 0; i < 4; i++) add(r.src[i]!);
  for (let i = 0; i < 4; i++) add(r.dst[i]!);
  add(r.srcPort);
  add(r.dstPort);
  add(firstSec);
  add(firstNsec);
  return fmix(ha) * 0x100000 + (fmix(hb) & 0xfffff);
}

interface Totals {
  pFwd: number;
  bFwd: number;
  pRev: number;
  bRev: number;
}

/** Running totals of flows that have had interim records (only those: a short flow costs nothing here). */
export class FlowTotals {
  private readonly map = new Map<number, Totals>();
  /** The totals of a flow that ends with its first record (most flows): no object, nothing kept. */
  private readonly once: Totals = { pFwd: 0, bFwd: 0, pRev: 0, bRev: 0 };

  get size(): number {
    return this.map.size;
  }

  /**
   * Adds the record's deltas; returns the totals so far (read them before the next call) and
   * forgets the flow when it ended.
   */
  account(id: number, r: FlowRecord): Totals {
    let t = this.map.get(id);
    const ended = r.endReason !== EndReason.INTERIM && r.endReason !== EndReason.ACTIVE;
    if (!t) {
      if (ended) {
        t = this.once;
        t.pFwd = t.bFwd = t.pRev = t.bRev = 0;
      } else {
        t = { pFwd: 0, bFwd: 0, pRev: 0, bRev: 0 };
        this.map.set(id, t);
      }
    } else if (ended) this.map.delete(id);
    t.pFwd += r.packetsFwd;
    t.bFwd += r.bytesFwd;
    t.pRev += r.packetsRev;
    t.bRev += r.bytesRev;
    return t;
  }
}

/** Collects flow records into float64 slots; `take()` hands the filled array over for transfer. */
export class FlowWireWriter {
  private buf: Float64Array = new Float64Array(SLOTS * 256);
  /** Buffers given back by recycle(), reused by take(). */
  private readonly free: Float64Array[] = [];
  count = 0;
  private readonly totals = new FlowTotals();

  get trackedTotals(): number {
    return this.totals.size;
  }

  push(r: FlowRecord): void {
    if ((this.count + 1) * SLOTS > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    const o = this.count * SLOTS;
    const b = this.buf;
    const firstSec = r.firstSec;
    const firstNsec = r.firstNsec;
    const lastSec = r.lastSec;
    const lastNsec = r.lastNsec;
    const id = flowId(r, firstSec, firstNsec);
    const t = this.totals.account(id, r);
    b[o + S.iface] = r.iface;
    b[o + S.vlan] = r.vlan;
    b[o + S.vlanInner] = r.vlanInner;
    b[o + S.tunnelType] = r.tunnelType;
    b[o + S.tunnelId] = r.tunnelId;
    b[o + S.ipVersion] = r.ipVersion;
    b[o + S.proto] = r.proto;
    b[o + S.etherType] = r.etherType;
    for (let i = 0; i < 4; i++) {
      b[o + S.src0 + i] = r.src[i]!;
      b[o + S.dst0 + i] = r.dst[i]!;
    }
    b[o + S.srcPort] = r.srcPort;
    b[o + S.dstPort] = r.dstPort;
    b[o + S.srcMac] = r.hasMac ? r.srcMacHi * 0x100000000 + r.srcMacLo : 0;
    b[o + S.dstMac] = r.hasMac ? r.dstMacHi * 0x100000000 + r.dstMacLo : 0;
    b[o + S.pFwd] = r.packetsFwd;
    b[o + S.bFwd] = r.bytesFwd;
    b[o + S.pRev] = r.packetsRev;
    b[o + S.bRev] = r.bytesRev;
    b[o + S.totPFwd] = t.pFwd;
    b[o + S.totBFwd] = t.bFwd;
    b[o + S.totPRev] = t.pRev;
    b[o + S.totBRev] = t.bRev;
    b[o + S.firstSec] = firstSec;
    b[o + S.firstNsec] = firstNsec;
    b[o + S.lastSec] = lastSec;
    b[o + S.lastNsec] = lastNsec;
    b[o + S.flagsFwd] = r.tcpFlagsFwd;
    b[o + S.flagsRev] = r.tcpFlagsRev;
    b[o + S.rttUs] = r.rttUs;
    b[o + S.retransmits] = r.retransmits;
    b[o + S.endReason] = r.endReason;
    b[o + S.flowId] = id;
    this.count++;
  }

  /** The filled records (count × SLOTS), detached from this writer; null when empty. */
  take(): { slots: Float64Array; count: number } | null {
    if (this.count === 0) return null;
    const out = { slots: this.buf, count: this.count };
    const want = Math.max(SLOTS * 256, this.count * SLOTS);
    let next = this.free.pop();
    while (next && next.length < want) next = this.free.pop();
    this.buf = next ?? new Float64Array(want);
    this.count = 0;
    return out;
  }

  /**
   * Takes back a buffer that take() handed out, once its reader is done with it: fresh memory costs
   * a page fault per 4 KB (≈3 µs a record on this VM), a recycled buffer none. At most 4 are kept.
   */
  recycle(slots: Float64Array): void {
    if (this.free.length < 4 && slots.length >= SLOTS * 256) this.free.push(slots);
  }
}
