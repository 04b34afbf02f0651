/**
 * Bidirectional flow table over typed arrays (one fixed-size record per flow in one ArrayBuffer).
 *
 * Key (KEY_WORDS u32 words, written into a key slot in canonical order: the smaller endpoint first,
 * as gopacket's LessThan) = interface, VLAN tags, tunnel type/VNI, IP version, protocol, EtherType,
 * endpoint A (address + port), endpoint B. Hashed with FNV-1a over the words (+ a final mix), so
 * both directions hash alike; looked up in an open-addressing index (linear probing, load <= 0.5,
 * backward-shift deletion). Flows sit in one of two LRU lists by last packet: open flows (idle
 * timeout; the head is the eviction victim) and closed flows (FIN both ways or RST; they linger
 * so late ACKs/retransmissions still count, then end). No per-packet allocation, no string keys.
 */
import { type FrameParser, LayerId } from '@nicscope/packet';

const IPV4 = LayerId.IPV4;
const IPV6 = LayerId.IPV6;
const TCP = LayerId.TCP;
const UDP = LayerId.UDP;
const ETHERNET = LayerId.ETHERNET;
import { EndReason, type FlowRecord, newFlowRecord } from './record.js';

const KEY_WORDS = 13;
export const KW = KEY_WORDS;
/** Frames a pipeline keys ahead of accounting them (see FlowTable.keyFrame). */
export const KEY_RING = 8;
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
  /**
   * Records allocated at start; beyond them the record buffer doubles (a copy) up to maxFlows.
   * Default min(maxFlows, 16384). (Reserving maxFlows up front was measured slower: a buffer that
   * large is a fresh mmap each time, and on a VM a first touch of a page is expensive, while
   * buffers of a few MB come back from the C heap already mapped.)
   */
  initialFlows?: number;
}

export type FlowSink = (rec: FlowRecord) => void;

const ST_FIN_F = 1;
const ST_FIN_R = 2;
const ST_RST = 4;
const ST_CLOSED = 8;
const ST_SYNACK = 16;
/** A packet was counted in this direction since the flow's (re)start: its first time is set. */
const ST_SEEN_F = 32;
const ST_SEEN_R = 64;
/** The handshake RTT is measured (or can no longer be). */
const ST_RTT_DONE = 128;

const LIST_OPEN = 0;
const LIST_CLOSED = 1;

const FRAG_SLOTS = 4096;
const FRAG_W = 10;

/**
 * One flow = one STRIDE-byte record in a single ArrayBuffer (array of structures), read through
 * Float64/Uint32/Int32/Uint16/Uint8 views (decision 0201). What a packet touches sits in the
 * record's first 128 bytes (two or three cache lines: JavaScript cannot align the backing store to
 * 64 bytes): bytes 0-63 hold the key, the LRU second and the state bytes; 64-127 the counters, the
 * last time of each direction, the next timer deadline, the TCP flags and expected sequence
 * numbers. Bytes 128-255 hold what is read once per flow or per record (start time, first times,
 * RTT, MACs, LRU links, generation, hash). Offsets are in units of each view (F = f64 index,
 * W = u32 index, H = u16 index, Y = byte).
 */
const STRIDE_BYTES = 256;
export const STRIDE = STRIDE_BYTES;
const S8 = STRIDE_BYTES / 8;
const S4 = STRIDE_BYTES / 4;
const S2 = STRIDE_BYTES / 2;
// bytes 0-63
const W_KEY = 0;
/** Second (since the table's base) of the flow's last move to its list's tail. */
const W_TOUCH = 13;
const W_NSEQ_F = 14;
/** bit0/1: seq tracked fwd/rev; bits 2-4 holes fwd (saturating), 5-7 holes rev. */
const Y_SEQST = 60;
const Y_STATE = 61;
const Y_INITSW = 62;
const Y_LIST = 63;
// bytes 64-127: counters are deltas since the last record; times ns since the table's base
const F_PKT_F = 8;
const F_PKT_R = 9;
const F_BYT_F = 10;
const F_BYT_R = 11;
const F_LAST_F = 12;
const F_LAST_R = 13;
/** The earliest of the active timeout and the next interim record. */
const F_DEADLINE = 14;
const H_FLAGS_F = 60;
const H_FLAGS_R = 61;
const W_NSEQ_R = 31;
// bytes 128-255
const F_START = 16;
const F_LAST_EXP = 17;
const F_FIRST_F = 18;
const F_FIRST_R = 19;
const F_SYN_TS = 20;
const F_RTT = 21;
const W_RETR = 44;
const W_OOO = 45;
const W_ZWIN = 46;
const W_GEN = 47;
const W_MSRC_LO = 48;
const W_MDST_LO = 49;
const W_PREV = 50;
const W_NEXT = 51;
const W_HASH = 52;
const H_MSRC_HI = 106;
const H_MDST_HI = 107;
const H_RESETS = 108;
const Y_HASMAC = 218;

export class FlowTable {
  readonly maxFlows: number;
  private readonly idleNs: number;
  private readonly activeNs: number;
  private readonly interimNs: number;
  private readonly lingerNs: number;

  /** Flows the record buffer holds now (grows by doubling up to maxFlows). */
  capacity = 0;
  /** Records below this index have been used (the rest of the buffer was never touched). */
  private fresh = 0;
  private mask = 0;
  /**
   * The index: open addressing, two Int32 per slot: flow index + 1 (0 = empty) and the key's hash,
   * so a probe that meets another flow is told apart without reading that flow's record.
   */
  private slots = new Int32Array(0);
  private f64 = new Float64Array(0);
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private u16 = new Uint16Array(0);
  private u8 = new Uint8Array(0);
  private readonly heads = new Int32Array([-1, -1]);
  private readonly tails = new Int32Array([-1, -1]);
  /** Free flows, linked through W_NEXT; -1 = none. */
  private freeHead = -1;
  // Fragment map: (src, dst, id, proto) of a first fragment -> flow, its generation and direction.
  private readonly fragKeys = new Uint32Array(FRAG_SLOTS * FRAG_W);
  private readonly fragFlow = new Int32Array(FRAG_SLOTS).fill(-1);
  private readonly fragGen = new Uint32Array(FRAG_SLOTS);
  private readonly fragRev = new Uint8Array(FRAG_SLOTS);

  // Key slots (keyFrame → addKeyed): KEY_RING for a pipeline's group of frames, one more for add().
  private readonly keys: Uint32Array[] = Array.from({ length: KEY_RING + 1 }, () => new Uint32Array(KEY_WORDS));
  /** The key's hash (a u32), or -1 when the frame has nothing to key a flow on. */
  private readonly keyHash = new Float64Array(KEY_RING + 1);
  private readonly keySwapped = new Uint8Array(KEY_RING + 1);
  private readonly keyFragKind = new Uint8Array(KEY_RING + 1);
  private readonly keyFragId = new Uint32Array(KEY_RING + 1);
  /** The fragment map's slot of a fragment (-1 when the frame is no fragment). */
  private readonly keyFrag = new Int32Array(KEY_RING + 1);
  /** What prefetch() read (kept so that the reads are not optimised away). */
  prefetched = 0;
  private readonly rec: FlowRecord = newFlowRecord();
  private baseSec = -1;
  private nowNs = 0;
  /** Whole seconds since baseSec of the last packet, and of the last expiry pass. */
  private nowSec = 0;
  private expiredSec = -1;

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
    this.maxFlows = Math.max(1, Math.floor(opts.maxFlows));
    this.idleNs = opts.idleTimeoutS * NS;
    this.activeNs = opts.activeTimeoutS * NS;
    this.interimNs = opts.interimS > 0 ? opts.interimS * NS : Infinity;
    this.lingerNs = (opts.closedLingerS ?? Math.min(2, opts.idleTimeoutS)) * NS;
    this.grow(Math.min(this.maxFlows, Math.max(1, opts.initialFlows ?? 16384)));
    this.growIndex(1024);
  }

  /**
   * Bytes the table uses (records ever taken, index, fragment map); per flow: STRIDE_BYTES + 16 to
   * 32 bytes of index. Records never taken are not counted (a large buffer is mapped by the kernel
   * page by page as it is first written).
   */
  byteSize(): number {
    return (
      this.fresh * STRIDE_BYTES +
      this.slots.byteLength +
      this.fragKeys.byteLength +
      this.fragFlow.byteLength +
      this.fragGen.byteLength +
      this.fragRev.byteLength
    );
  }

  /** Re-allocates the records for `cap` flows, keeping every flow (the index holds flow numbers: unchanged). */
  private grow(cap: number): void {
    const old = this.u8;
    const buf = new ArrayBuffer(cap * STRIDE_BYTES);
    this.u8 = new Uint8Array(buf);
    if (this.fresh > 0) this.u8.set(old.subarray(0, this.fresh * STRIDE_BYTES));
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.capacity = cap;
  }

  /** Re-builds the index with `slots` slots (a power of two) from the old one (no record is read). */
  private growIndex(slotCount: number): void {
    const oldSlots = this.slots;
    const mask = slotCount - 1;
    const slots = new Int32Array(slotCount * 2);
    for (let o = 0; o < oldSlots.length; o += 2) {
      const v = oldSlots[o]!;
      if (v === 0) continue;
      const h = oldSlots[o + 1]!;
      let s = h & mask;
      while (slots[2 * s] !== 0) s = (s + 1) & mask;
      slots[2 * s] = v;
      slots[2 * s + 1] = h;
    }
    this.mask = mask;
    this.slots = slots;
  }

  /**
   * Accounts the frame the parser holds. `iface` is the capture's interface index, the timestamp
   * is the capture's (seconds + nanoseconds). Returns the flow index, or -1 when the frame has no key.
   * The same as keyFrame() then addKeyed() on a slot of its own.
   */
  add(p: FrameParser, iface: number, sec: number, nsec: number): number {
    this.keyFrame(p, iface, KEY_RING);
    return this.addKeyed(p, KEY_RING, sec, nsec);
  }

  /**
   * The first half of add(): the frame's flow key (canonical order) and its hash, into key slot
   * `slot` (0 to KEY_RING - 1). Reads only the frame, never the table, so a pipeline keys a group
   * of frames (each in a parser of its own), reads the table where their keys point with
   * prefetch(), then accounts them in order with addKeyed().
   */
  keyFrame(p: FrameParser, iface: number, slot: number): void {
    const f = p.flowSet;
    const k = this.keys[slot]!;
    const net = f.net;
    let ipv = 0;
    let proto = 0;
    let et = 0;
    let sp = 0;
    let dp = 0;
    let fragKind = 0; // 0 none, 1 first fragment (carries ports), 2 later fragment
    let fragId = 0;
    if (net === IPV4) {
      const v4 = f.ipv4;
      ipv = 4;
      proto = v4.protocol;
      k[4] = v4.src;
      k[8] = v4.dst;
      k[5] = k[6] = k[7] = k[9] = k[10] = k[11] = 0;
      if (v4.fragment === 1) {
        fragKind = v4.fragOff === 0 ? 1 : 2;
        fragId = v4.id;
      }
    } else if (net === IPV6) {
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
      k[6] = k[7] = k[10] = k[11] = 0;
      if (f.has(ETHERNET)) {
        const e = f.ethernet;
        k[4] = e.srcHi;
        k[5] = e.srcLo;
        k[8] = e.dstHi;
        k[9] = e.dstLo;
      } else if (p.count > 0 && (p.linkType === 113 || p.linkType === 276) && f === p.outer) {
        k[4] = p.linkType === 113 ? p.sll.addrHi : p.sll2.addrHi;
        k[5] = p.linkType === 113 ? p.sll.addrLo : p.sll2.addrLo;
        k[8] = k[9] = 0;
      } else {
        this.keyHash[slot] = -1; // nothing to key a flow on
        return;
      }
    }
    const tr = f.transport;
    if (tr === TCP) {
      sp = f.tcp.srcPort;
      dp = f.tcp.dstPort;
    } else if (tr === UDP) {
      sp = f.udp.srcPort;
      dp = f.udp.dstPort;
    }
    // A fragment's slot in the fragment map, from its own (src, dst) order.
    this.keyFrag[slot] = fragKind === 0 ? -1 : this.fragSlot(k, fragId, proto);
    this.keyFragKind[slot] = fragKind;
    this.keyFragId[slot] = fragId;
    const outer = p.outer;
    k[0] = iface;
    const vc = outer.vlanCount;
    k[1] = vc === 0 ? 0 : (outer.vlans[0].vid | ((vc > 1 ? outer.vlans[1].vid : 0) << 12) | (vc << 24)) >>> 0;
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
      this.keySwapped[slot] = 1;
      for (let i = 4; i < 8; i++) {
        const a = k[i]!;
        k[i] = k[i + 4]!;
        k[i + 4] = a;
      }
      k[12] = ((dp << 16) | sp) >>> 0;
    } else {
      this.keySwapped[slot] = 0;
      k[12] = ((sp << 16) | dp) >>> 0;
    }
    this.keyHash[slot] = hashKey(k);
  }

  /**
   * Reads the index slot and the flow record each of key slots [0, n) points to, one after the
   * other: the reads do not depend on each other, so the CPU has them all in flight at once, and
   * addKeyed() then finds them in the cache (JavaScript has no prefetch instruction; loads whose
   * results are only summed are the next best thing). Measured in decision 0407.
   */
  prefetch(n: number): void {
    const slots = this.slots;
    const mask = this.mask;
    const u32 = this.u32;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      const h = this.keyHash[j]!;
      if (h < 0) continue;
      const v = slots[2 * (h & mask)]!;
      if (v !== 0) acc ^= u32[(v - 1) * S4]! ^ u32[(v - 1) * S4 + 16]!;
    }
    if (this.freeHead >= 0) acc ^= this.i32[this.freeHead * S4 + W_NEXT]!;
    this.prefetched = acc;
  }

  /** The second half of add(): accounts the frame keyed into key slot `slot` by keyFrame(). */
  addKeyed(p: FrameParser, slot: number, sec: number, nsec: number): number {
    if (this.baseSec < 0) this.baseSec = sec;
    const rs = sec - this.baseSec;
    const t = rs * NS + nsec;
    this.nowNs = t;
    this.nowSec = rs;
    this.packets++;
    // Timeouts have a one-second granularity: expire once per second of capture time.
    if (rs !== this.expiredSec) {
      this.expiredSec = rs;
      this.expire(t);
    }
    const h = this.keyHash[slot]!;
    if (h < 0) {
      this.unkeyed++;
      return -1;
    }
    const f = p.flowSet;
    const tr = f.transport;
    const k = this.keys[slot]!;
    const swapped = this.keySwapped[slot]!;
    const fragKind = this.keyFragKind[slot]!;

    // A later fragment belongs to the flow of its first fragment when that one was seen.
    let idx = -1;
    let rev = 0;
    if (fragKind === 2) {
      const fslot = this.keyFrag[slot]!;
      const fi = this.fragFlow[fslot]!;
      if (
        fi >= 0 &&
        this.fragGen[fslot] === this.u32[fi * S4 + W_GEN] &&
        this.fragMatch(fslot, k, swapped, this.keyFragId[slot]!, (k[2]! >>> 8) & 0xff)
      ) {
        idx = fi;
        rev = this.fragRev[fslot]!;
        this.fragmentsAttributed++;
      } else this.fragmentsUnmatched++;
    }

    if (idx < 0) {
      idx = this.lookup(h, k);
      if (
        idx >= 0 &&
        tr === TCP &&
        (this.u8[idx * STRIDE_BYTES + Y_STATE]! & ST_CLOSED) !== 0 &&
        (f.tcp.flags & 0x12) === 0x02
      ) {
        // A new connection (SYN) on a closed flow's 5-tuple: the old one ends now.
        this.end(idx, this.u8[idx * STRIDE_BYTES + Y_STATE]! & ST_RST ? EndReason.RST : EndReason.FIN);
        idx = -1;
      }
      if (idx < 0) {
        idx = this.create(h, k, t);
        // Initiator: the first packet's sender, or the SYN sender when the first seen is a SYN-ACK.
        let initSw = swapped;
        if (tr === TCP && (f.tcp.flags & 0x12) === 0x12) initSw ^= 1;
        const y = idx * STRIDE_BYTES;
        const w = idx * S4;
        const hh = idx * S2;
        this.u8[y + Y_INITSW] = initSw;
        const e = f.ethernet;
        const l2 = f.has(ETHERNET);
        const sll = f === p.outer && (p.linkType === 113 || p.linkType === 276);
        this.u8[y + Y_HASMAC] = l2 || sll ? 1 : 0;
        const senderIsInit = initSw === swapped;
        const sHi = l2 ? e.srcHi : !sll ? 0 : p.linkType === 113 ? p.sll.addrHi : p.sll2.addrHi;
        const sLo = l2 ? e.srcLo : !sll ? 0 : p.linkType === 113 ? p.sll.addrLo : p.sll2.addrLo;
        const dHi = l2 ? e.dstHi : 0;
        const dLo = l2 ? e.dstLo : 0;
        this.u16[hh + H_MSRC_HI] = senderIsInit ? sHi : dHi;
        this.u32[w + W_MSRC_LO] = senderIsInit ? sLo : dLo;
        this.u16[hh + H_MDST_HI] = senderIsInit ? dHi : sHi;
        this.u32[w + W_MDST_LO] = senderIsInit ? dLo : sLo;
      }
      rev = swapped === this.u8[idx * STRIDE_BYTES + Y_INITSW] ? 0 : 1;
      if (fragKind === 1) {
        const proto = (k[2]! >>> 8) & 0xff;
        this.fragRemember(this.keyFrag[slot]!, k, this.keyFragId[slot]!, proto, idx, rev, swapped);
      }
    }

    const f64 = this.f64;
    const b8 = idx * S8;
    // Active timeout and interim records, before this packet is counted (one deadline to compare).
    if (t >= f64[b8 + F_DEADLINE]!) this.timers(idx, t);

    const len = p.wirelen;
    const y = idx * STRIDE_BYTES;
    const st = this.u8[y + Y_STATE]!;
    if (rev === 0) {
      f64[b8 + F_PKT_F]! += 1;
      f64[b8 + F_BYT_F]! += len;
      if ((st & ST_SEEN_F) === 0) {
        this.u8[y + Y_STATE] = st | ST_SEEN_F;
        f64[b8 + F_FIRST_F] = f64[b8 + F_LAST_F] = t;
      } else if (t > f64[b8 + F_LAST_F]!) f64[b8 + F_LAST_F] = t;
    } else {
      f64[b8 + F_PKT_R]! += 1;
      f64[b8 + F_BYT_R]! += len;
      if ((st & ST_SEEN_R) === 0) {
        this.u8[y + Y_STATE] = st | ST_SEEN_R;
        f64[b8 + F_FIRST_R] = f64[b8 + F_LAST_R] = t;
      } else if (t > f64[b8 + F_LAST_R]!) f64[b8 + F_LAST_R] = t;
    }
    if (tr === TCP) this.tcp(p, idx, rev, t);
    this.touch(idx);
    return idx;
  }

  /** The flow's deadline has come: an active-timeout record (then a restart) or an interim record. */
  private timers(idx: number, t: number): void {
    const f64 = this.f64;
    const b8 = idx * S8;
    if (t - f64[b8 + F_START]! >= this.activeNs) {
      this.emit(idx, EndReason.ACTIVE);
      this.restart(idx, t);
    } else if (t - f64[b8 + F_LAST_EXP]! >= this.interimNs) {
      this.emit(idx, EndReason.INTERIM);
      f64[b8 + F_PKT_F] = f64[b8 + F_PKT_R] = f64[b8 + F_BYT_F] = f64[b8 + F_BYT_R] = 0;
      f64[b8 + F_LAST_EXP] = t;
    }
    f64[b8 + F_DEADLINE] = Math.min(f64[b8 + F_START]! + this.activeNs, f64[b8 + F_LAST_EXP]! + this.interimNs);
  }

  /** The flow's last packet time (either direction), ns since the base second. */
  private lastOf(idx: number): number {
    const f64 = this.f64;
    const a = f64[idx * S8 + F_LAST_F]!;
    const b = f64[idx * S8 + F_LAST_R]!;
    return b > a ? b : a;
  }

  private tcp(p: FrameParser, idx: number, rev: number, t: number): void {
    const f = p.flowSet;
    const tcp = f.tcp;
    const fl = tcp.flags;
    const u8 = this.u8;
    const u32 = this.u32;
    const f64 = this.f64;
    const y = idx * STRIDE_BYTES;
    const w = idx * S4;
    const b8 = idx * S8;
    const hh = idx * S2;
    if (rev === 0) this.u16[hh + H_FLAGS_F] = this.u16[hh + H_FLAGS_F]! | fl;
    else this.u16[hh + H_FLAGS_R] = this.u16[hh + H_FLAGS_R]! | fl;
    let st = u8[y + Y_STATE]!;
    const syn = fl & 0x02;
    const ack = fl & 0x10;
    if (syn !== 0 && ack === 0 && rev === 0 && f64[b8 + F_SYN_TS]! !== f64[b8 + F_SYN_TS]!) f64[b8 + F_SYN_TS] = t;
    else if (syn !== 0 && ack !== 0 && rev === 1) st |= ST_SYNACK;
    else if (syn === 0 && ack !== 0 && rev === 0 && (st & (ST_SYNACK | ST_RTT_DONE)) === ST_SYNACK) {
      // The ACK after the SYN-ACK: the handshake RTT when the SYN was seen, and no more tries.
      const s0 = f64[b8 + F_SYN_TS]!;
      if (s0 === s0) f64[b8 + F_RTT] = t - s0;
      st |= ST_RTT_DONE;
    }
    if (tcp.window === 0 && (fl & 0x07) === 0) u32[w + W_ZWIN]! += 1;
    if (fl & 0x04) {
      this.u16[hh + H_RESETS]! += 1;
      st |= ST_RST;
    }
    if (fl & 0x01) st |= rev === 0 ? ST_FIN_F : ST_FIN_R;
    // Sequence tracking: segment length from the IP lengths (the capture may be cut by the snaplen).
    let seg: number;
    if (f.net === IPV4) seg = f.ipv4.totalLen - f.ipv4.ihl - tcp.dataOff;
    else seg = f.ipv6.payloadLen - (tcp.headerOff - f.ipv6.headerOff - 40) - tcp.dataOff;
    if (seg < 0) seg = 0;
    if (syn) seg++;
    if (fl & 0x01) seg++;
    if (seg > 0) {
      const ss = u8[y + Y_SEQST]!;
      const bit = rev === 0 ? 1 : 2;
      const holesShift = rev === 0 ? 2 : 5;
      const holes = (ss >>> holesShift) & 7;
      const seq = tcp.seq;
      const segEnd = (seq + seg) >>> 0;
      const at = w + (rev === 0 ? W_NSEQ_F : W_NSEQ_R);
      if ((ss & bit) === 0) {
        u32[at] = segEnd;
        u8[y + Y_SEQST] = ss | bit;
      } else {
        const exp = u32[at]!;
        const d = (seq - exp) | 0;
        if (d === 0) u32[at] = segEnd;
        else if (d > 0) {
          // A gap: later bytes arrived before earlier ones (or the capture missed some).
          u32[at] = segEnd;
          if (holes < 7) u8[y + Y_SEQST] = (ss & ~(7 << holesShift)) | ((holes + 1) << holesShift);
        } else if (holes > 0) {
          // Fills a hole seen before: out of order rather than a retransmission.
          u32[w + W_OOO]! += 1;
          u8[y + Y_SEQST] = (ss & ~(7 << holesShift)) | ((holes - 1) << holesShift);
          if (((segEnd - exp) | 0) > 0) u32[at] = segEnd;
        } else {
          u32[w + W_RETR]! += 1;
          if (((segEnd - exp) | 0) > 0) u32[at] = segEnd;
        }
      }
    }
    if ((st & ST_CLOSED) === 0 && ((st & ST_RST) !== 0 || (st & (ST_FIN_F | ST_FIN_R)) === (ST_FIN_F | ST_FIN_R))) {
      st |= ST_CLOSED;
      u8[y + Y_STATE] = st;
      this.unlink(idx);
      u8[y + Y_LIST] = LIST_CLOSED;
      this.append(idx);
      return;
    }
    u8[y + Y_STATE] = st;
  }

  /** Ends flows idle for longer than the idle timeout, and closed flows past their linger time. */
  expire(t: number): void {
    let h = this.heads[LIST_CLOSED]!;
    while (h >= 0 && t - this.lastOf(h) > this.lingerNs) {
      this.end(h, this.u8[h * STRIDE_BYTES + Y_STATE]! & ST_RST ? EndReason.RST : EndReason.FIN);
      h = this.heads[LIST_CLOSED]!;
    }
    h = this.heads[LIST_OPEN]!;
    while (h >= 0 && t - this.lastOf(h) > this.idleNs) {
      this.end(h, EndReason.IDLE);
      h = this.heads[LIST_OPEN]!;
    }
  }

  /** Advances the clock without a packet (a live capture calls this on a timer): idle flows end. */
  tick(sec: number, nsec: number): void {
    if (this.baseSec < 0) return;
    this.expiredSec = sec - this.baseSec;
    this.expire((sec - this.baseSec) * NS + nsec);
  }

  /** Ends every flow (capture end): closed flows with FIN/RST, the others with `reason`. */
  flush(reason: number = EndReason.CAPTURE_END): void {
    for (let l = 0; l < 2; l++) {
      let h = this.heads[l]!;
      while (h >= 0) {
        const st = this.u8[h * STRIDE_BYTES + Y_STATE]!;
        this.end(h, st & ST_CLOSED ? (st & ST_RST ? EndReason.RST : EndReason.FIN) : reason);
        h = this.heads[l]!;
      }
    }
  }

  private create(h: number, k: Uint32Array, t: number): number {
    if (this.freeHead < 0 && this.fresh === this.capacity) {
      if (this.capacity < this.maxFlows) this.grow(Math.min(this.maxFlows, this.capacity * 2));
      else {
        const victim = this.heads[LIST_CLOSED]! >= 0 ? this.heads[LIST_CLOSED]! : this.heads[LIST_OPEN]!;
        this.evictions++;
        this.end(victim, EndReason.EVICTED);
      }
    }
    // A freed record (warm in the cache) before a never used one.
    let idx = this.freeHead;
    if (idx >= 0) this.freeHead = this.i32[idx * S4 + W_NEXT]!;
    else idx = this.fresh++;
    // The index stays at most half full.
    if ((this.active + 1) * 2 > this.mask + 1) this.growIndex((this.mask + 1) * 2);
    const w = idx * S4;
    const u32 = this.u32;
    for (let i = 0; i < KEY_WORDS; i++) u32[w + W_KEY + i] = k[i]!;
    u32[w + W_HASH] = h;
    const slots = this.slots;
    let s = h & this.mask;
    while (slots[2 * s] !== 0) s = (s + 1) & this.mask;
    slots[2 * s] = idx + 1;
    slots[2 * s + 1] = h;
    u32[w + W_GEN] = (u32[w + W_GEN]! + 1) >>> 0;
    u32[w + W_RETR] = u32[w + W_OOO] = u32[w + W_ZWIN] = 0;
    const y = idx * STRIDE_BYTES;
    this.u8[y + Y_STATE] = this.u8[y + Y_SEQST] = 0;
    const hh = idx * S2;
    this.u16[hh + H_FLAGS_F] = this.u16[hh + H_FLAGS_R] = this.u16[hh + H_RESETS] = 0;
    const b8 = idx * S8;
    this.f64[b8 + F_SYN_TS] = this.f64[b8 + F_RTT] = NaN;
    this.restart(idx, t);
    this.u8[y + Y_LIST] = LIST_OPEN;
    u32[w + W_TOUCH] = this.nowSec;
    this.append(idx);
    this.active++;
    this.flowsCreated++;
    return idx;
  }

  private restart(idx: number, t: number): void {
    const f64 = this.f64;
    const b8 = idx * S8;
    f64[b8 + F_PKT_F] = f64[b8 + F_PKT_R] = f64[b8 + F_BYT_F] = f64[b8 + F_BYT_R] = 0;
    f64[b8 + F_START] = f64[b8 + F_LAST_EXP] = t;
    // Until a direction's first packet its times stay t (lastOf() needs no NaN test; emit() looks at ST_SEEN_*).
    f64[b8 + F_FIRST_F] = f64[b8 + F_LAST_F] = f64[b8 + F_FIRST_R] = f64[b8 + F_LAST_R] = t;
    f64[b8 + F_DEADLINE] = Math.min(t + this.activeNs, t + this.interimNs);
    const y = idx * STRIDE_BYTES;
    this.u8[y + Y_STATE] = this.u8[y + Y_STATE]! & ~(ST_SEEN_F | ST_SEEN_R);
  }

  /** The flow whose key is k, or -1. */
  private lookup(h: number, k: Uint32Array): number {
    const u32 = this.u32;
    const slots = this.slots;
    const mask = this.mask;
    const hs = h | 0;
    let s = h & mask;
    for (;;) {
      const v = slots[2 * s]!;
      if (v === 0) return -1;
      if (slots[2 * s + 1] === hs) {
        const o = (v - 1) * S4 + W_KEY;
        let i = 0;
        while (i < KEY_WORDS && u32[o + i] === k[i]) i++;
        if (i === KEY_WORDS) return v - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /** Emits the final record and frees the flow (backward-shift deletion keeps probe chains whole). */
  private end(idx: number, reason: number): void {
    this.emit(idx, reason);
    this.unlink(idx);
    const mask = this.mask;
    const slots = this.slots;
    const u32 = this.u32;
    let i = u32[idx * S4 + W_HASH]! & mask;
    while (slots[2 * i] !== idx + 1) i = (i + 1) & mask;
    slots[2 * i] = 0;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = slots[2 * j]!;
      if (v === 0) break;
      const hj = slots[2 * j + 1]!;
      const home = hj & mask;
      // Move the entry back into the hole unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        slots[2 * i] = v;
        slots[2 * i + 1] = hj;
        slots[2 * j] = 0;
        i = j;
      }
    }
    const w = idx * S4;
    u32[w + W_GEN] = (u32[w + W_GEN]! + 1) >>> 0;
    this.i32[w + W_NEXT] = this.freeHead;
    this.freeHead = idx;
    this.active--;
  }

  private emit(idx: number, reason: number): void {
    const r = this.rec;
    const u32 = this.u32;
    const w = idx * S4;
    const o = w + W_KEY;
    const y = idx * STRIDE_BYTES;
    const hh = idx * S2;
    const b8 = idx * S8;
    const sw = this.u8[y + Y_INITSW]!;
    r.iface = u32[o]!;
    const w1 = u32[o + 1]!;
    r.vlan = w1 & 0xfff;
    r.vlanInner = (w1 >>> 12) & 0xfff;
    r.vlanCount = w1 >>> 24;
    const w2 = u32[o + 2]!;
    r.tunnelType = w2 & 0xf;
    r.ipVersion = (w2 >>> 4) & 0xf;
    r.proto = (w2 >>> 8) & 0xff;
    r.etherType = w2 >>> 16;
    r.tunnelId = u32[o + 3]!;
    const a = sw ? o + 8 : o + 4;
    const b = sw ? o + 4 : o + 8;
    for (let i = 0; i < 4; i++) {
      r.src[i] = u32[a + i]!;
      r.dst[i] = u32[b + i]!;
    }
    const ports = u32[o + 12]!;
    r.srcPort = sw ? ports & 0xffff : ports >>> 16;
    r.dstPort = sw ? ports >>> 16 : ports & 0xffff;
    r.hasMac = this.u8[y + Y_HASMAC]!;
    if (r.ipVersion === 0) {
      r.srcMacHi = r.src[0]!;
      r.srcMacLo = r.src[1]!;
      r.dstMacHi = r.dst[0]!;
      r.dstMacLo = r.dst[1]!;
    } else {
      r.srcMacHi = this.u16[hh + H_MSRC_HI]!;
      r.srcMacLo = u32[w + W_MSRC_LO]!;
      r.dstMacHi = this.u16[hh + H_MDST_HI]!;
      r.dstMacLo = u32[w + W_MDST_LO]!;
    }
    const f64 = this.f64;
    r.packetsFwd = f64[b8 + F_PKT_F]!;
    r.bytesFwd = f64[b8 + F_BYT_F]!;
    r.packetsRev = f64[b8 + F_PKT_R]!;
    r.bytesRev = f64[b8 + F_BYT_R]!;
    const dt = r.dirTimes;
    this.splitNs(f64[b8 + F_START]!, dt, 8);
    r.firstSec = dt[8]!;
    r.firstNsec = dt[9]!;
    this.splitNs(this.lastOf(idx), dt, 8);
    r.lastSec = dt[8]!;
    r.lastNsec = dt[9]!;
    const st = this.u8[y + Y_STATE]!;
    if (st & ST_SEEN_F) {
      this.splitNs(f64[b8 + F_FIRST_F]!, dt, 0);
      this.splitNs(f64[b8 + F_LAST_F]!, dt, 2);
    } else dt[0] = dt[1] = dt[2] = dt[3] = -1;
    if (st & ST_SEEN_R) {
      this.splitNs(f64[b8 + F_FIRST_R]!, dt, 4);
      this.splitNs(f64[b8 + F_LAST_R]!, dt, 6);
    } else dt[4] = dt[5] = dt[6] = dt[7] = -1;
    r.tcpFlagsFwd = this.u16[hh + H_FLAGS_F]!;
    r.tcpFlagsRev = this.u16[hh + H_FLAGS_R]!;
    const rtt = f64[b8 + F_RTT]!;
    r.rttUs = rtt === rtt ? Math.round(rtt / 1000) : -1;
    r.retransmits = u32[w + W_RETR]!;
    r.outOfOrder = u32[w + W_OOO]!;
    r.zeroWindows = u32[w + W_ZWIN]!;
    r.resets = this.u16[hh + H_RESETS]!;
    r.endReason = reason;
    this.records++;
    this.sink(r);
  }

  /** Writes a time (ns since the base second) as epoch seconds and nanoseconds into out[at], out[at + 1]. */
  private splitNs(rel: number, out: Float64Array, at: number): void {
    const ns = Math.round(rel);
    const s = Math.floor(ns / NS);
    out[at] = this.baseSec + s;
    out[at + 1] = ns - s * NS;
  }

  private absNs(rel: number): bigint {
    const relInt = Math.round(rel);
    const s = Math.floor(relInt / NS);
    return BigInt(this.baseSec + s) * 1_000_000_000n + BigInt(relInt - s * NS);
  }

  // LRU lists (doubly linked through W_PREV/W_NEXT)
  private unlink(idx: number): void {
    const i32 = this.i32;
    const w = idx * S4;
    const l = this.u8[idx * STRIDE_BYTES + Y_LIST]!;
    const p = i32[w + W_PREV]!;
    const n = i32[w + W_NEXT]!;
    if (p >= 0) i32[p * S4 + W_NEXT] = n;
    else this.heads[l] = n;
    if (n >= 0) i32[n * S4 + W_PREV] = p;
    else this.tails[l] = p;
  }

  private append(idx: number): void {
    const i32 = this.i32;
    const w = idx * S4;
    const l = this.u8[idx * STRIDE_BYTES + Y_LIST]!;
    const tail = this.tails[l]!;
    i32[w + W_PREV] = tail;
    i32[w + W_NEXT] = -1;
    if (tail >= 0) i32[tail * S4 + W_NEXT] = idx;
    else this.heads[l] = idx;
    this.tails[l] = idx;
  }

  /**
   * Moves the flow to its list's tail at most once per second: the lists stay ordered by last
   * packet to within a second (enough for second-granular timeouts) and a busy flow costs no
   * pointer chasing per packet.
   */
  private touch(idx: number): void {
    const w = idx * S4;
    const now = this.nowSec;
    if (this.u32[w + W_TOUCH] === now) return;
    this.u32[w + W_TOUCH] = now;
    if (this.tails[this.u8[idx * STRIDE_BYTES + Y_LIST]!] === idx) return;
    this.unlink(idx);
    this.append(idx);
  }

  // Fragment map (direct-mapped, overwritten on collision; bounded).
  /** The map's slot of a fragment whose own (src, dst) order is in words 4 to 11 of k. */
  private fragSlot(k: Uint32Array, id: number, proto: number): number {
    let h = 0x811c9dc5;
    for (let i = 4; i < 12; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
    h = Math.imul(h ^ id, 0x01000193);
    h = Math.imul(h ^ proto, 0x01000193);
    return (h ^ (h >>> 15)) & (FRAG_SLOTS - 1);
  }

  /** Whether map slot `slot` holds the fragment whose canonical key is k (swapped: as keyFrame() left it). */
  private fragMatch(slot: number, k: Uint32Array, swapped: number, id: number, proto: number): boolean {
    const o = slot * FRAG_W;
    const fk = this.fragKeys;
    const a = swapped ? 8 : 4;
    const b = swapped ? 4 : 8;
    for (let i = 0; i < 4; i++) if (fk[o + i] !== k[a + i] || fk[o + 4 + i] !== k[b + i]) return false;
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
    this.fragGen[slot] = this.u32[idx * S4 + W_GEN]!;
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
  for (let i = 0; i < KEY_WORDS; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
