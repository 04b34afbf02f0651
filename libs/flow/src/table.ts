/**
 * Bidirectional flow table over typed arrays (structure of arrays, one slot per flow).
 *
 * Key (KW u32 words, written into a scratch array in canonical order: the smaller endpoint first,
 * as gopacket's LessThan) = interface, VLAN tags, tunnel type/VNI, IP version, protocol, EtherType,
 * endpoint A (address + port), endpoint B. Hashed with FNV-1a over the words (+ a final mix), so
 * both directions hash alike; looked up in an open-addressing index (linear probing, load <= 0.5,
 * backward-shift deletion). Flows sit in one of two LRU lists by last packet: open flows (idle
 * timeout; the head is the eviction victim) and closed flows (FIN both ways or RST; they linger
 * so late ACKs/retransmissions still count, then end). No per-packet allocation, no string keys.
 */
import { type FrameParser, LayerId } from '@nicscope/packet';
import { EndReason, type FlowRecord, newFlowRecord } from './record.js';

export const KW = 13;
const NS = 1e9;

export interface FlowTableOptions {
  /** Most flows held; a new flow beyond it evicts the least recently seen (closed ones first). */
  maxFlows: number;
  idleTimeoutS: number;
  activeTimeoutS: number;
  /** Interval of interim records (deltas) for long flows; 0 = none. */
  interimS: number;
  /** How long a closed (FIN/RST) flow stays to catch its last packets. Default min(2 s, idle). */
  closedLingerS?: number;
}

export type FlowSink = (rec: FlowRecord) => void;

const ST_FIN_F = 1;
const ST_FIN_R = 2;
const ST_RST = 4;
const ST_CLOSED = 8;
const ST_SYNACK = 16;

const LIST_OPEN = 0;
const LIST_CLOSED = 1;

const FRAG_SLOTS = 4096;
const FRAG_W = 10;

export class FlowTable {
  readonly maxFlows: number;
  private readonly idleNs: number;
  private readonly activeNs: number;
  private readonly interimNs: number;
  private readonly lingerNs: number;

  // Index
  private readonly mask: number;
  private readonly slots: Int32Array;
  // Per flow
  private readonly keys: Uint32Array;
  private readonly hash: Uint32Array;
  private readonly pktF: Float64Array;
  private readonly pktR: Float64Array;
  private readonly bytF: Float64Array;
  private readonly bytR: Float64Array;
  private readonly start: Float64Array;
  private readonly last: Float64Array;
  private readonly lastExport: Float64Array;
  private readonly firstF: Float64Array;
  private readonly lastF: Float64Array;
  private readonly firstR: Float64Array;
  private readonly lastR: Float64Array;
  private readonly flagsF: Uint16Array;
  private readonly flagsR: Uint16Array;
  private readonly synTs: Float64Array;
  private readonly rtt: Float64Array;
  private readonly nextSeqF: Uint32Array;
  private readonly nextSeqR: Uint32Array;
  /** bit0/1: seq tracked fwd/rev; bits 2-4 holes fwd (saturating), 5-7 holes rev. */
  private readonly seqState: Uint8Array;
  private readonly retrans: Uint32Array;
  private readonly ooo: Uint32Array;
  private readonly zeroWin: Uint32Array;
  private readonly resets: Uint16Array;
  private readonly state: Uint8Array;
  private readonly initSwapped: Uint8Array;
  private readonly hasMac: Uint8Array;
  private readonly macSrcHi: Uint16Array;
  private readonly macSrcLo: Uint32Array;
  private readonly macDstHi: Uint16Array;
  private readonly macDstLo: Uint32Array;
  private readonly prev: Int32Array;
  private readonly nextL: Int32Array;
  private readonly list: Uint8Array;
  private readonly gen: Uint32Array;
  private readonly heads = new Int32Array([-1, -1]);
  private readonly tails = new Int32Array([-1, -1]);
  private freeTop: number;
  private readonly freeList: Int32Array;
  // Fragment map: (src, dst, id, proto) of a first fragment -> flow, its generation and direction.
  private readonly fragKeys = new Uint32Array(FRAG_SLOTS * FRAG_W);
  private readonly fragFlow = new Int32Array(FRAG_SLOTS).fill(-1);
  private readonly fragGen = new Uint32Array(FRAG_SLOTS);
  private readonly fragRev = new Uint8Array(FRAG_SLOTS);

  private readonly k = new Uint32Array(KW);
  private readonly rec: FlowRecord = newFlowRecord();
  private baseSec = -1;
  private nowNs = 0;

  /** Flows now in the table. */
  active = 0;
  // Counters (cumulative).
  flowsCreated = 0;
  evictions = 0;
  packets = 0;
  /** Frames with nothing to key a flow on (no IP, no L2 address). */
  unkeyed = 0;
  fragmentsAttributed = 0;
  fragmentsUnmatched = 0;
  records = 0;

  constructor(
    opts: FlowTableOptions,
    private readonly sink: FlowSink,
  ) {
    const n = (this.maxFlows = Math.max(1, Math.floor(opts.maxFlows)));
    this.idleNs = opts.idleTimeoutS * NS;
    this.activeNs = opts.activeTimeoutS * NS;
    this.interimNs = opts.interimS > 0 ? opts.interimS * NS : Infinity;
    this.lingerNs = (opts.closedLingerS ?? Math.min(2, opts.idleTimeoutS)) * NS;
    let cap = 1024;
    while (cap < n * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.keys = new Uint32Array(n * KW);
    this.hash = new Uint32Array(n);
    this.pktF = new Float64Array(n);
    this.pktR = new Float64Array(n);
    this.bytF = new Float64Array(n);
    this.bytR = new Float64Array(n);
    this.start = new Float64Array(n);
    this.last = new Float64Array(n);
    this.lastExport = new Float64Array(n);
    this.firstF = new Float64Array(n);
    this.lastF = new Float64Array(n);
    this.firstR = new Float64Array(n);
    this.lastR = new Float64Array(n);
    this.flagsF = new Uint16Array(n);
    this.flagsR = new Uint16Array(n);
    this.synTs = new Float64Array(n);
    this.rtt = new Float64Array(n);
    this.nextSeqF = new Uint32Array(n);
    this.nextSeqR = new Uint32Array(n);
    this.seqState = new Uint8Array(n);
    this.retrans = new Uint32Array(n);
    this.ooo = new Uint32Array(n);
    this.zeroWin = new Uint32Array(n);
    this.resets = new Uint16Array(n);
    this.state = new Uint8Array(n);
    this.initSwapped = new Uint8Array(n);
    this.hasMac = new Uint8Array(n);
    this.macSrcHi = new Uint16Array(n);
    this.macSrcLo = new Uint32Array(n);
    this.macDstHi = new Uint16Array(n);
    this.macDstLo = new Uint32Array(n);
    this.prev = new Int32Array(n);
    this.nextL = new Int32Array(n);
    this.list = new Uint8Array(n);
    this.gen = new Uint32Array(n);
    this.freeList = new Int32Array(n);
    for (let i = 0; i < n; i++) this.freeList[i] = n - 1 - i;
    this.freeTop = n;
  }

  /** Bytes held by the table's typed arrays (the per-flow cost is this / maxFlows). */
  byteSize(): number {
    let total = 0;
    for (const v of Object.values(this)) if (ArrayBuffer.isView(v)) total += v.byteLength;
    return total;
  }

  /**
   * Accounts the frame the parser holds. `iface` is the capture's interface index, the timestamp
   * is the capture's (seconds + nanoseconds). Returns the flow index, or -1 when the frame has no key.
   */
  add(p: FrameParser, iface: number, sec: number, nsec: number): number {
    if (this.baseSec < 0) this.baseSec = sec;
    const t = (sec - this.baseSec) * NS + nsec;
    this.nowNs = t;
    this.packets++;
    this.expire(t);

    const f = p.flowSet;
    const k = this.k;
    const net = f.net;
    let ipv = 0;
    let proto = 0;
    let et = 0;
    let sp = 0;
    let dp = 0;
    let fragKind = 0; // 0 none, 1 first fragment (carries ports), 2 later fragment
    let fragId = 0;
    k[4] = k[5] = k[6] = k[7] = k[8] = k[9] = k[10] = k[11] = 0;
    if (net === LayerId.IPV4) {
      const v4 = f.ipv4;
      ipv = 4;
      proto = v4.protocol;
      k[4] = v4.src;
      k[8] = v4.dst;
      if (v4.fragment === 1) {
        fragKind = v4.fragOff === 0 ? 1 : 2;
        fragId = v4.id;
      }
    } else if (net === LayerId.IPV6) {
      const v6 = f.ipv6;
      ipv = 6;
      proto = v6.protocol;
      k[4] = v6.s0;
      k[5] = v6.s1;
      k[6] = v6.s2;
      k[7] = v6.s3;
      k[8] = v6.d0;
      k[9] = v6.d1;
      k[10] = v6.d2;
      k[11] = v6.d3;
      if (v6.fragment === 1) {
        fragKind = v6.fragOff === 0 ? 1 : 2;
        fragId = v6.fragId;
      }
    } else {
      et = f.etherType;
      if (f.has(LayerId.ETHERNET)) {
        const e = f.ethernet;
        k[4] = e.srcHi;
        k[5] = e.srcLo;
        k[8] = e.dstHi;
        k[9] = e.dstLo;
      } else if (p.count > 0 && (p.linkType === 113 || p.linkType === 276) && f === p.outer) {
        k[4] = p.linkType === 113 ? p.sll.addrHi : p.sll2.addrHi;
        k[5] = p.linkType === 113 ? p.sll.addrLo : p.sll2.addrLo;
      } else {
        this.unkeyed++;
        return -1;
      }
    }
    const tr = f.transport;
    if (tr === LayerId.TCP) {
      sp = f.tcp.srcPort;
      dp = f.tcp.dstPort;
    } else if (tr === LayerId.UDP) {
      sp = f.udp.srcPort;
      dp = f.udp.dstPort;
    }

    // A later fragment belongs to the flow of its first fragment when that one was seen.
    let idx = -1;
    let rev = 0;
    let fslot = -1;
    if (fragKind !== 0) {
      fslot = this.fragSlot(k, fragId, proto);
      if (fragKind === 2) {
        const fi = this.fragFlow[fslot]!;
        if (fi >= 0 && this.fragGen[fslot] === this.gen[fi] && this.fragMatch(fslot, k, fragId, proto)) {
          idx = fi;
          rev = this.fragRev[fslot]!;
          this.fragmentsAttributed++;
        } else this.fragmentsUnmatched++;
      }
    }

    let swapped = 0;
    if (idx < 0) {
      const outer = p.outer;
      k[0] = iface;
      const vc = outer.vlanCount;
      k[1] = (vc > 0 ? outer.vlans[0].vid : 0) | ((vc > 1 ? outer.vlans[1].vid : 0) << 12) | (vc << 24);
      k[2] = (p.tunnelType | (ipv << 4) | (proto << 8) | (et << 16)) >>> 0;
      k[3] = p.tunnelId;
      // Canonical order: smaller (address, port) first.
      let cmp = 0;
      for (let i = 4; i < 8; i++) {
        const a = k[i]!;
        const b = k[i + 4]!;
        if (a !== b) {
          cmp = a < b ? -1 : 1;
          break;
        }
      }
      if (cmp === 0) cmp = sp < dp ? -1 : sp > dp ? 1 : 0;
      if (cmp > 0) {
        swapped = 1;
        for (let i = 4; i < 8; i++) {
          const a = k[i]!;
          k[i] = k[i + 4]!;
          k[i + 4] = a;
        }
        k[12] = ((dp << 16) | sp) >>> 0;
      } else k[12] = ((sp << 16) | dp) >>> 0;
      const h = hashKey(k);
      idx = this.lookup(h);
      if (idx >= 0 && tr === LayerId.TCP && (this.state[idx]! & ST_CLOSED) !== 0 && (f.tcp.flags & 0x12) === 0x02) {
        // A new connection (SYN) on a closed flow's 5-tuple: the old one ends now.
        this.end(idx, this.state[idx]! & ST_RST ? EndReason.RST : EndReason.FIN);
        idx = -1;
      }
      if (idx < 0) {
        idx = this.create(h, t);
        // Initiator: the first packet's sender, or the SYN sender when the first seen is a SYN-ACK.
        let initSw = swapped;
        if (tr === LayerId.TCP && (f.tcp.flags & 0x12) === 0x12) initSw ^= 1;
        this.initSwapped[idx] = initSw;
        const e = f.ethernet;
        const l2 = f.has(LayerId.ETHERNET);
        const sll = f === p.outer && (p.linkType === 113 || p.linkType === 276);
        this.hasMac[idx] = l2 || sll ? 1 : 0;
        const senderIsInit = initSw === swapped;
        const sHi = l2 ? e.srcHi : !sll ? 0 : p.linkType === 113 ? p.sll.addrHi : p.sll2.addrHi;
        const sLo = l2 ? e.srcLo : !sll ? 0 : p.linkType === 113 ? p.sll.addrLo : p.sll2.addrLo;
        const dHi = l2 ? e.dstHi : 0;
        const dLo = l2 ? e.dstLo : 0;
        this.macSrcHi[idx] = senderIsInit ? sHi : dHi;
        this.macSrcLo[idx] = senderIsInit ? sLo : dLo;
        this.macDstHi[idx] = senderIsInit ? dHi : sHi;
        this.macDstLo[idx] = senderIsInit ? dLo : sLo;
      }
      rev = swapped === this.initSwapped[idx] ? 0 : 1;
      if (fragKind === 1 && fslot >= 0) this.fragRemember(fslot, k, fragId, proto, idx, rev, swapped);
    }

    // Active timeout and interim records, before this packet is counted.
    if (t - this.start[idx]! >= this.activeNs) {
      this.emit(idx, EndReason.ACTIVE);
      this.restart(idx, t);
    } else if (t - this.lastExport[idx]! >= this.interimNs) {
      this.emit(idx, EndReason.INTERIM);
      this.pktF[idx] = this.pktR[idx] = this.bytF[idx] = this.bytR[idx] = 0;
      this.lastExport[idx] = t;
    }

    const len = p.wirelen;
    if (rev === 0) {
      this.pktF[idx]! += 1;
      this.bytF[idx]! += len;
      if (this.firstF[idx]! !== this.firstF[idx]!) this.firstF[idx] = t;
      this.lastF[idx] = t;
    } else {
      this.pktR[idx]! += 1;
      this.bytR[idx]! += len;
      if (this.firstR[idx]! !== this.firstR[idx]!) this.firstR[idx] = t;
      this.lastR[idx] = t;
    }
    if (t > this.last[idx]!) this.last[idx] = t;
    if (tr === LayerId.TCP) this.tcp(p, idx, rev, t);
    this.touch(idx);
    return idx;
  }

  private tcp(p: FrameParser, idx: number, rev: number, t: number): void {
    const f = p.flowSet;
    const tcp = f.tcp;
    const fl = tcp.flags;
    if (rev === 0) this.flagsF[idx] = this.flagsF[idx]! | fl;
    else this.flagsR[idx] = this.flagsR[idx]! | fl;
    let st = this.state[idx]!;
    const syn = fl & 0x02;
    const ack = fl & 0x10;
    if (syn !== 0 && ack === 0 && rev === 0 && this.synTs[idx]! !== this.synTs[idx]!) this.synTs[idx] = t;
    else if (syn !== 0 && ack !== 0 && rev === 1) st |= ST_SYNACK;
    else if (syn === 0 && ack !== 0 && rev === 0 && (st & ST_SYNACK) !== 0 && this.rtt[idx]! !== this.rtt[idx]!) {
      const s0 = this.synTs[idx]!;
      if (s0 === s0) this.rtt[idx] = t - s0;
    }
    if (tcp.window === 0 && (fl & 0x07) === 0) this.zeroWin[idx]! += 1;
    if (fl & 0x04) {
      this.resets[idx]! += 1;
      st |= ST_RST;
    }
    if (fl & 0x01) st |= rev === 0 ? ST_FIN_F : ST_FIN_R;
    // Sequence tracking: segment length from the IP lengths (the capture may be cut by the snaplen).
    let seg: number;
    if (f.net === LayerId.IPV4) seg = f.ipv4.totalLen - f.ipv4.ihl - tcp.dataOff;
    else seg = f.ipv6.payloadLen - (tcp.headerOff - f.ipv6.headerOff - 40) - tcp.dataOff;
    if (seg < 0) seg = 0;
    if (syn) seg++;
    if (fl & 0x01) seg++;
    if (seg > 0) {
      const ss = this.seqState[idx]!;
      const bit = rev === 0 ? 1 : 2;
      const holesShift = rev === 0 ? 2 : 5;
      const holes = (ss >>> holesShift) & 7;
      const seq = tcp.seq;
      const segEnd = (seq + seg) >>> 0;
      const nextArr = rev === 0 ? this.nextSeqF : this.nextSeqR;
      if ((ss & bit) === 0) {
        nextArr[idx] = segEnd;
        this.seqState[idx] = ss | bit;
      } else {
        const exp = nextArr[idx]!;
        const d = (seq - exp) | 0;
        if (d === 0) nextArr[idx] = segEnd;
        else if (d > 0) {
          // A gap: later bytes arrived before earlier ones (or the capture missed some).
          nextArr[idx] = segEnd;
          if (holes < 7) this.seqState[idx] = (ss & ~(7 << holesShift)) | ((holes + 1) << holesShift);
        } else if (holes > 0) {
          // Fills a hole seen before: out of order rather than a retransmission.
          this.ooo[idx]! += 1;
          this.seqState[idx] = (ss & ~(7 << holesShift)) | ((holes - 1) << holesShift);
          if (((segEnd - exp) | 0) > 0) nextArr[idx] = segEnd;
        } else {
          this.retrans[idx]! += 1;
          if (((segEnd - exp) | 0) > 0) nextArr[idx] = segEnd;
        }
      }
    }
    if ((st & ST_CLOSED) === 0 && ((st & ST_RST) !== 0 || (st & (ST_FIN_F | ST_FIN_R)) === (ST_FIN_F | ST_FIN_R))) {
      st |= ST_CLOSED;
      this.state[idx] = st;
      this.unlink(idx);
      this.list[idx] = LIST_CLOSED;
      this.append(idx);
      return;
    }
    this.state[idx] = st;
  }

  /** Ends flows idle for longer than the idle timeout, and closed flows past their linger time. */
  expire(t: number): void {
    let h = this.heads[LIST_CLOSED]!;
    while (h >= 0 && t - this.last[h]! > this.lingerNs) {
      this.end(h, this.state[h]! & ST_RST ? EndReason.RST : EndReason.FIN);
      h = this.heads[LIST_CLOSED]!;
    }
    h = this.heads[LIST_OPEN]!;
    while (h >= 0 && t - this.last[h]! > this.idleNs) {
      this.end(h, EndReason.IDLE);
      h = this.heads[LIST_OPEN]!;
    }
  }

  /** Advances the clock without a packet (a live capture calls this on a timer): idle flows end. */
  tick(sec: number, nsec: number): void {
    if (this.baseSec < 0) return;
    this.expire((sec - this.baseSec) * NS + nsec);
  }

  /** Ends every flow (capture end): closed flows with FIN/RST, the others with `reason`. */
  flush(reason: number = EndReason.CAPTURE_END): void {
    for (let l = 0; l < 2; l++) {
      let h = this.heads[l]!;
      while (h >= 0) {
        const st = this.state[h]!;
        this.end(h, st & ST_CLOSED ? (st & ST_RST ? EndReason.RST : EndReason.FIN) : reason);
        h = this.heads[l]!;
      }
    }
  }

  private create(h: number, t: number): number {
    if (this.freeTop === 0) {
      const victim = this.heads[LIST_CLOSED]! >= 0 ? this.heads[LIST_CLOSED]! : this.heads[LIST_OPEN]!;
      this.evictions++;
      this.end(victim, EndReason.EVICTED);
    }
    const idx = this.freeList[--this.freeTop]!;
    const k = this.k;
    const o = idx * KW;
    for (let i = 0; i < KW; i++) this.keys[o + i] = k[i]!;
    this.hash[idx] = h;
    let s = h & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = idx + 1;
    this.gen[idx] = (this.gen[idx]! + 1) >>> 0;
    this.state[idx] = 0;
    this.seqState[idx] = 0;
    this.flagsF[idx] = this.flagsR[idx] = 0;
    this.synTs[idx] = this.rtt[idx] = NaN;
    this.retrans[idx] = this.ooo[idx] = this.zeroWin[idx] = this.resets[idx] = 0;
    this.restart(idx, t);
    this.list[idx] = LIST_OPEN;
    this.append(idx);
    this.active++;
    this.flowsCreated++;
    return idx;
  }

  private restart(idx: number, t: number): void {
    this.pktF[idx] = this.pktR[idx] = this.bytF[idx] = this.bytR[idx] = 0;
    this.start[idx] = this.last[idx] = this.lastExport[idx] = t;
    this.firstF[idx] = this.lastF[idx] = this.firstR[idx] = this.lastR[idx] = NaN;
  }

  private lookup(h: number): number {
    const k = this.k;
    const keys = this.keys;
    let s = h & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === 0) return -1;
      const idx = v - 1;
      if (this.hash[idx] === h) {
        const o = idx * KW;
        let i = 0;
        while (i < KW && keys[o + i] === k[i]) i++;
        if (i === KW) return idx;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** Emits the final record and frees the slot (backward-shift deletion keeps probe chains whole). */
  private end(idx: number, reason: number): void {
    this.emit(idx, reason);
    this.unlink(idx);
    const mask = this.mask;
    const slots = this.slots;
    let i = this.hash[idx]! & mask;
    while (slots[i] !== idx + 1) i = (i + 1) & mask;
    slots[i] = 0;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = slots[j]!;
      if (v === 0) break;
      const home = this.hash[v - 1]! & mask;
      // Move the entry back into the hole unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        slots[i] = v;
        slots[j] = 0;
        i = j;
      }
    }
    this.gen[idx] = (this.gen[idx]! + 1) >>> 0;
    this.freeList[this.freeTop++] = idx;
    this.active--;
  }

  private emit(idx: number, reason: number): void {
    const r = this.rec;
    const o = idx * KW;
    const keys = this.keys;
    const sw = this.initSwapped[idx]!;
    r.iface = keys[o]!;
    const w1 = keys[o + 1]!;
    r.vlan = w1 & 0xfff;
    r.vlanInner = (w1 >>> 12) & 0xfff;
    r.vlanCount = w1 >>> 24;
    const w2 = keys[o + 2]!;
    r.tunnelType = w2 & 0xf;
    r.ipVersion = (w2 >>> 4) & 0xf;
    r.proto = (w2 >>> 8) & 0xff;
    r.etherType = w2 >>> 16;
    r.tunnelId = keys[o + 3]!;
    const a = sw ? o + 8 : o + 4;
    const b = sw ? o + 4 : o + 8;
    for (let i = 0; i < 4; i++) {
      r.src[i] = keys[a + i]!;
      r.dst[i] = keys[b + i]!;
    }
    const ports = keys[o + 12]!;
    r.srcPort = sw ? ports & 0xffff : ports >>> 16;
    r.dstPort = sw ? ports >>> 16 : ports & 0xffff;
    r.hasMac = this.hasMac[idx]!;
    if (r.ipVersion === 0) {
      r.srcMacHi = r.src[0]!;
      r.srcMacLo = r.src[1]!;
      r.dstMacHi = r.dst[0]!;
      r.dstMacLo = r.dst[1]!;
    } else {
      r.srcMacHi = this.macSrcHi[idx]!;
      r.srcMacLo = this.macSrcLo[idx]!;
      r.dstMacHi = this.macDstHi[idx]!;
      r.dstMacLo = this.macDstLo[idx]!;
    }
    r.packetsFwd = this.pktF[idx]!;
    r.bytesFwd = this.bytF[idx]!;
    r.packetsRev = this.pktR[idx]!;
    r.bytesRev = this.bytR[idx]!;
    r.firstTs = this.absNs(this.start[idx]!);
    r.lastTs = this.absNs(this.last[idx]!);
    r.tcpFlagsFwd = this.flagsF[idx]!;
    r.tcpFlagsRev = this.flagsR[idx]!;
    const rtt = this.rtt[idx]!;
    r.rttUs = rtt === rtt ? Math.round(rtt / 1000) : -1;
    r.retransmits = this.retrans[idx]!;
    r.outOfOrder = this.ooo[idx]!;
    r.zeroWindows = this.zeroWin[idx]!;
    r.resets = this.resets[idx]!;
    r.endReason = reason;
    this.records++;
    this.sink(r);
  }

  private absNs(rel: number): bigint {
    const relInt = Math.round(rel);
    const s = Math.floor(relInt / NS);
    return BigInt(this.baseSec + s) * 1_000_000_000n + BigInt(relInt - s * NS);
  }

  // LRU lists
  private unlink(idx: number): void {
    const l = this.list[idx]!;
    const p = this.prev[idx]!;
    const n = this.nextL[idx]!;
    if (p >= 0) this.nextL[p] = n;
    else this.heads[l] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tails[l] = p;
  }

  private append(idx: number): void {
    const l = this.list[idx]!;
    const tail = this.tails[l]!;
    this.prev[idx] = tail;
    this.nextL[idx] = -1;
    if (tail >= 0) this.nextL[tail] = idx;
    else this.heads[l] = idx;
    this.tails[l] = idx;
  }

  private touch(idx: number): void {
    if (this.tails[this.list[idx]!] === idx) return;
    this.unlink(idx);
    this.append(idx);
  }

  // Fragment map (direct-mapped, overwritten on collision; bounded).
  private fragSlot(k: Uint32Array, id: number, proto: number): number {
    let h = 0x811c9dc5;
    for (let i = 4; i < 12; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
    h = Math.imul(h ^ id, 0x01000193);
    h = Math.imul(h ^ proto, 0x01000193);
    return (h ^ (h >>> 15)) & (FRAG_SLOTS - 1);
  }

  private fragMatch(slot: number, k: Uint32Array, id: number, proto: number): boolean {
    const o = slot * FRAG_W;
    const fk = this.fragKeys;
    for (let i = 0; i < 8; i++) if (fk[o + i] !== k[4 + i]) return false;
    return fk[o + 8] === id && fk[o + 9] === proto;
  }

  private fragRemember(
    slot: number,
    k: Uint32Array,
    id: number,
    proto: number,
    idx: number,
    rev: number,
    swapped: number,
  ): void {
    // k is canonical now: store the packet's own (src, dst) order so later fragments match.
    const o = slot * FRAG_W;
    const fk = this.fragKeys;
    const a = swapped ? 8 : 4;
    const b = swapped ? 4 : 8;
    for (let i = 0; i < 4; i++) {
      fk[o + i] = k[a + i]!;
      fk[o + 4 + i] = k[b + i]!;
    }
    fk[o + 8] = id;
    fk[o + 9] = proto;
    this.fragFlow[slot] = idx;
    this.fragGen[slot] = this.gen[idx]!;
    this.fragRev[slot] = rev;
  }

  /** The clock of the last packet, ns since the epoch. */
  nowEpochNs(): bigint {
    return this.baseSec < 0 ? 0n : this.absNs(this.nowNs);
  }
}

/** FNV-1a over the key's u32 words, then a murmur3 finaliser (spreads the low bits used as the index). */
export function hashKey(k: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KW; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
