/** Transport layers: TCP (flags, seq/ack, window, options), UDP, ICMP, ICMPv6 (echo, neighbour discovery). */
import { Layer } from './layer.js';
import { GENEVE_PORT, LayerId, Reason, VXLAN_PORT } from './ids.js';

// Module constants: one context load on the hot path instead of two property loads.
const L_GENEVE = LayerId.GENEVE;
const L_NONE = LayerId.NONE;
const L_PAYLOAD = LayerId.PAYLOAD;
const L_VXLAN = LayerId.VXLAN;
const R_ICMPV6_TOO_SHORT = Reason.ICMPV6_TOO_SHORT;
const R_ICMP_TOO_SHORT = Reason.ICMP_TOO_SHORT;
const R_TCP_BAD_OFFSET = Reason.TCP_BAD_OFFSET;
const R_TCP_OPT_MALFORMED = Reason.TCP_OPT_MALFORMED;
const R_TCP_TOO_SHORT = Reason.TCP_TOO_SHORT;
const R_UDP_BAD_LENGTH = Reason.UDP_BAD_LENGTH;
const R_UDP_TOO_SHORT = Reason.UDP_TOO_SHORT;

export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;

export class Tcp extends Layer {
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  dataOff = 0;
  /** FIN 0x01 … CWR 0x80, NS 0x100. */
  flags = 0;
  window = 0;
  checksum = 0;
  urgent = 0;
  /** Options: -1 = absent. */
  mss = -1;
  wscale = -1;
  sackPermitted = 0;
  sackBlocks = 0;
  hasTs = 0;
  tsVal = 0;
  tsEcr = 0;
  /** Payload bytes present in the frame (payloadEnd - payloadOff). */
  payloadLen = 0;

  decode(view: DataView, off: number, end: number): number {
    this.mss = this.wscale = -1;
    this.sackPermitted = this.sackBlocks = this.hasTs = this.tsVal = this.tsEcr = 0;
    if (end - off < 20) {
      this.srcPort = this.dstPort = this.seq = this.ack = this.dataOff = this.flags = 0;
      this.window = this.checksum = this.urgent = this.payloadLen = 0;
      this.base(off, end, end, L_NONE);
      return R_TCP_TOO_SHORT;
    }
    this.srcPort = view.getUint16(off);
    this.dstPort = view.getUint16(off + 2);
    this.seq = view.getUint32(off + 4);
    this.ack = view.getUint32(off + 8);
    const w = view.getUint16(off + 12);
    const doff = (this.dataOff = (w >>> 12) * 4);
    this.flags = w & 0x01ff;
    this.window = view.getUint16(off + 14);
    this.checksum = view.getUint16(off + 16);
    this.urgent = view.getUint16(off + 18);
    if (doff < 20) {
      this.payloadLen = 0;
      this.base(off, end, end, L_NONE);
      return R_TCP_BAD_OFFSET;
    }
    if (end - off < doff) {
      this.payloadLen = 0;
      this.base(off, end, end, L_NONE);
      return R_TCP_TOO_SHORT;
    }
    const po = off + doff;
    this.payloadLen = end - po;
    this.base(off, po, end, po < end ? L_PAYLOAD : L_NONE);
    if (doff > 20 && !this.options(view, off + 20, po)) this.anomaly = R_TCP_OPT_MALFORMED;
    return 0;
  }

  private options(view: DataView, p: number, end: number): boolean {
    while (p < end) {
      const kind = view.getUint8(p);
      if (kind === 0) return true;
      if (kind === 1) {
        p++;
        continue;
      }
      if (p + 1 >= end) return false;
      const len = view.getUint8(p + 1);
      if (len < 2 || p + len > end) return false;
      switch (kind) {
        case 2:
          if (len !== 4) return false;
          this.mss = view.getUint16(p + 2);
          break;
        case 3:
          if (len !== 3) return false;
          this.wscale = view.getUint8(p + 2);
          break;
        case 4:
          if (len !== 2) return false;
          this.sackPermitted = 1;
          break;
        case 5:
          if ((len - 2) % 8 !== 0) return false;
          this.sackBlocks = (len - 2) / 8;
          break;
        case 8:
          if (len !== 10) return false;
          this.hasTs = 1;
          this.tsVal = view.getUint32(p + 2);
          this.tsEcr = view.getUint32(p + 6);
          break;
        default:
          break;
      }
      p += len;
    }
    return true;
  }
}

export class Udp extends Layer {
  srcPort = 0;
  dstPort = 0;
  length = 0;
  checksum = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 8) {
      this.srcPort = this.dstPort = this.length = this.checksum = 0;
      this.base(off, end, end, L_NONE);
      return R_UDP_TOO_SHORT;
    }
    const sp = (this.srcPort = view.getUint16(off));
    const dp = (this.dstPort = view.getUint16(off + 2));
    const len = (this.length = view.getUint16(off + 4));
    this.checksum = view.getUint16(off + 6);
    let pend = end;
    let anomaly = 0;
    if (len < 8) anomaly = R_UDP_BAD_LENGTH;
    else if (off + len <= end) pend = off + len;
    const po = off + 8;
    let next: number = po < pend ? L_PAYLOAD : L_NONE;
    if (dp === VXLAN_PORT || (sp === VXLAN_PORT && dp !== GENEVE_PORT)) next = L_VXLAN;
    else if (dp === GENEVE_PORT || sp === GENEVE_PORT) next = L_GENEVE;
    this.base(off, po, pend, next);
    this.anomaly = anomaly;
    return 0;
  }
}

export class Icmp extends Layer {
  type = 0;
  code = 0;
  checksum = 0;
  /** Echo request/reply (8/0) and timestamp messages: identifier and sequence; 0 otherwise. */
  id = 0;
  seq = 0;

  decode(view: DataView, off: number, end: number): number {
    this.id = this.seq = 0;
    if (end - off < 4) {
      this.type = this.code = this.checksum = 0;
      this.base(off, end, end, L_NONE);
      return R_ICMP_TOO_SHORT;
    }
    const t = (this.type = view.getUint8(off));
    this.code = view.getUint8(off + 1);
    this.checksum = view.getUint16(off + 2);
    if ((t === 0 || t === 8 || t === 13 || t === 14) && end - off >= 8) {
      this.id = view.getUint16(off + 4);
      this.seq = view.getUint16(off + 6);
    }
    this.base(off, off + 4, end, off + 4 < end ? L_PAYLOAD : L_NONE);
    return 0;
  }
}

export class Icmpv6 extends Layer {
  type = 0;
  code = 0;
  checksum = 0;
  id = 0;
  seq = 0;
  /** Neighbour discovery: target address of NS/NA/redirect (4 × u32), link-layer option found (1 source, 2 target). */
  t0 = 0;
  t1 = 0;
  t2 = 0;
  t3 = 0;
  llType = 0;
  llHi = 0;
  llLo = 0;
  /** NA flags (R 0x80, S 0x40, O 0x20). */
  naFlags = 0;

  decode(view: DataView, off: number, end: number): number {
    this.id = this.seq = this.t0 = this.t1 = this.t2 = this.t3 = this.llType = this.llHi = this.llLo = this.naFlags = 0;
    if (end - off < 4) {
      this.type = this.code = this.checksum = 0;
      this.base(off, end, end, L_NONE);
      return R_ICMPV6_TOO_SHORT;
    }
    const t = (this.type = view.getUint8(off));
    this.code = view.getUint8(off + 1);
    this.checksum = view.getUint16(off + 2);
    this.base(off, off + 4, end, off + 4 < end ? L_PAYLOAD : L_NONE);
    const avail = end - off;
    if ((t === 128 || t === 129) && avail >= 8) {
      this.id = view.getUint16(off + 4);
      this.seq = view.getUint16(off + 6);
      return 0;
    }
    let opts: number;
    if (t === 133) opts = 8;
    else if (t === 134) opts = 16;
    else if (t === 135 || t === 136 || t === 137) {
      if (avail < 24) {
        this.anomaly = R_ICMPV6_TOO_SHORT;
        return 0;
      }
      if (t === 136) this.naFlags = view.getUint8(off + 4) & 0xe0;
      this.t0 = view.getUint32(off + 8);
      this.t1 = view.getUint32(off + 12);
      this.t2 = view.getUint32(off + 16);
      this.t3 = view.getUint32(off + 20);
      opts = t === 137 ? 40 : 24;
    } else return 0;
    // ND options: type, length in 8-byte units; 1 = source, 2 = target link-layer address.
    let p = off + opts;
    while (p + 2 <= end) {
      const ot = view.getUint8(p);
      const ol = view.getUint8(p + 1) * 8;
      if (ol === 0 || p + ol > end) break;
      if ((ot === 1 || ot === 2) && ol >= 8) {
        this.llType = ot;
        this.llHi = view.getUint16(p + 2);
        this.llLo = view.getUint32(p + 4);
      }
      p += ol;
    }
    return 0;
  }
}
