/** Network layers: IPv4 (options, fragments) and IPv6 (extension header chain, fragment header). */
import { Layer } from './layer.js';
import { LayerId, Reason, nextForIpProto } from './ids.js';

// Module constants: one context load on the hot path instead of two property loads.
const L_NONE = LayerId.NONE;
const L_PAYLOAD = LayerId.PAYLOAD;
const R_IPV4_BAD_IHL = Reason.IPV4_BAD_IHL;
const R_IPV4_BAD_TOTAL_LEN = Reason.IPV4_BAD_TOTAL_LEN;
const R_IPV4_BAD_VERSION = Reason.IPV4_BAD_VERSION;
const R_IPV4_LEN_EXCEEDS_FRAME = Reason.IPV4_LEN_EXCEEDS_FRAME;
const R_IPV4_OPT_MALFORMED = Reason.IPV4_OPT_MALFORMED;
const R_IPV4_TOO_SHORT = Reason.IPV4_TOO_SHORT;
const R_IPV6_BAD_VERSION = Reason.IPV6_BAD_VERSION;
const R_IPV6_EXT_CHAIN_TOO_LONG = Reason.IPV6_EXT_CHAIN_TOO_LONG;
const R_IPV6_EXT_TOO_SHORT = Reason.IPV6_EXT_TOO_SHORT;
const R_IPV6_LEN_EXCEEDS_FRAME = Reason.IPV6_LEN_EXCEEDS_FRAME;
const R_IPV6_TOO_SHORT = Reason.IPV6_TOO_SHORT;

export class IPv4 extends Layer {
  ihl = 0;
  tos = 0;
  totalLen = 0;
  id = 0;
  df = 0;
  mf = 0;
  /** Fragment offset in bytes. */
  fragOff = 0;
  ttl = 0;
  protocol = 0;
  checksum = 0;
  src = 0;
  dst = 0;
  optionsLen = 0;
  /** 1 for every fragment (MF set or offset > 0); a later fragment (offset > 0) has no L4 header. */
  fragment = 0;

  decode(view: DataView, off: number, end: number): number {
    const avail = end - off;
    if (avail < 20) {
      this.clear(off, end);
      return R_IPV4_TOO_SHORT;
    }
    const b0 = view.getUint8(off);
    if (b0 >>> 4 !== 4) {
      this.clear(off, end);
      return R_IPV4_BAD_VERSION;
    }
    const ihl = (this.ihl = (b0 & 0x0f) * 4);
    this.tos = view.getUint8(off + 1);
    const total = (this.totalLen = view.getUint16(off + 2));
    this.id = view.getUint16(off + 4);
    const ff = view.getUint16(off + 6);
    this.df = (ff >>> 14) & 1;
    this.mf = (ff >>> 13) & 1;
    this.fragOff = (ff & 0x1fff) * 8;
    this.ttl = view.getUint8(off + 8);
    const proto = (this.protocol = view.getUint8(off + 9));
    this.checksum = view.getUint16(off + 10);
    this.src = view.getUint32(off + 12);
    this.dst = view.getUint32(off + 16);
    this.optionsLen = ihl > 20 ? ihl - 20 : 0;
    this.fragment = this.mf | (this.fragOff !== 0 ? 1 : 0);
    if (ihl < 20) {
      this.base(off, end, end, L_NONE);
      return R_IPV4_BAD_IHL;
    }
    if (avail < ihl) {
      this.base(off, end, end, L_NONE);
      return R_IPV4_TOO_SHORT;
    }
    if (total < ihl) {
      this.base(off, end, end, L_NONE);
      return R_IPV4_BAD_TOTAL_LEN;
    }
    let pend = off + total;
    let anomaly = 0;
    if (pend > end) {
      pend = end;
      anomaly = R_IPV4_LEN_EXCEEDS_FRAME;
    }
    const next = this.fragOff !== 0 ? L_PAYLOAD : nextForIpProto(proto);
    this.base(off, off + ihl, pend, next);
    if (ihl > 20 && !optionsOk(view, off + 20, off + ihl)) anomaly = R_IPV4_OPT_MALFORMED;
    this.anomaly = anomaly;
    return 0;
  }

  private clear(off: number, end: number): void {
    this.ihl = this.tos = this.totalLen = this.id = this.df = this.mf = this.fragOff = this.ttl = 0;
    this.protocol = this.checksum = this.src = this.dst = this.optionsLen = this.fragment = 0;
    this.base(off, end, end, L_NONE);
  }
}

/** IPv4 options: EOL ends, NOP is one byte, every other option has a length >= 2 inside the header. */
function optionsOk(view: DataView, p: number, end: number): boolean {
  while (p < end) {
    const t = view.getUint8(p);
    if (t === 0) return true;
    if (t === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return false;
    const l = view.getUint8(p + 1);
    if (l < 2 || p + l > end) return false;
    p += l;
  }
  return true;
}

const MAX_EXT = 8;

export class IPv6 extends Layer {
  trafficClass = 0;
  flowLabel = 0;
  payloadLen = 0;
  /** Next Header of the fixed header. */
  nextHeader = 0;
  hopLimit = 0;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  /** The upper-layer protocol after the extension chain. */
  protocol = 0;
  extCount = 0;
  /** Fragment header: present (1/0), offset in bytes, more-fragments, identification. */
  fragment = 0;
  fragOff = 0;
  mf = 0;
  fragId = 0;

  decode(view: DataView, off: number, end: number): number {
    this.extCount = this.fragment = this.fragOff = this.mf = this.fragId = 0;
    const avail = end - off;
    if (avail < 40) {
      this.clear(off, end);
      return R_IPV6_TOO_SHORT;
    }
    const w0 = view.getUint32(off);
    if (w0 >>> 28 !== 6) {
      this.clear(off, end);
      return R_IPV6_BAD_VERSION;
    }
    this.trafficClass = (w0 >>> 20) & 0xff;
    this.flowLabel = w0 & 0xfffff;
    const plen = (this.payloadLen = view.getUint16(off + 4));
    let nh = (this.nextHeader = view.getUint8(off + 6));
    this.hopLimit = view.getUint8(off + 7);
    this.s0 = view.getUint32(off + 8);
    this.s1 = view.getUint32(off + 12);
    this.s2 = view.getUint32(off + 16);
    this.s3 = view.getUint32(off + 20);
    this.d0 = view.getUint32(off + 24);
    this.d1 = view.getUint32(off + 28);
    this.d2 = view.getUint32(off + 32);
    this.d3 = view.getUint32(off + 36);
    let pend = off + 40 + plen;
    let anomaly = 0;
    if (pend > end) {
      pend = end;
      anomaly = R_IPV6_LEN_EXCEEDS_FRAME;
    }
    let p = off + 40;
    // Extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60, AH 51, mobility 135.
    while (nh === 0 || nh === 43 || nh === 44 || nh === 60 || nh === 51 || nh === 135) {
      if (this.extCount === MAX_EXT) {
        this.protocol = nh;
        this.base(off, p, pend, L_NONE);
        return R_IPV6_EXT_CHAIN_TOO_LONG;
      }
      if (pend - p < 8) {
        this.protocol = nh;
        this.base(off, p, pend, L_NONE);
        return R_IPV6_EXT_TOO_SHORT;
      }
      const nnh = view.getUint8(p);
      let hl: number;
      if (nh === 44) {
        hl = 8;
        const fo = view.getUint16(p + 2);
        this.fragment = 1;
        this.fragOff = fo & 0xfff8;
        this.mf = fo & 1;
        this.fragId = view.getUint32(p + 4);
      } else if (nh === 51) hl = (view.getUint8(p + 1) + 2) * 4;
      else hl = (view.getUint8(p + 1) + 1) * 8;
      if (pend - p < hl) {
        this.protocol = nh;
        this.base(off, p, pend, L_NONE);
        return R_IPV6_EXT_TOO_SHORT;
      }
      this.extCount++;
      p += hl;
      nh = nnh;
    }
    this.protocol = nh;
    const next = this.fragOff !== 0 ? L_PAYLOAD : nextForIpProto(nh);
    this.base(off, p, pend, next === L_PAYLOAD && p >= pend ? L_NONE : next);
    this.anomaly = anomaly;
    return 0;
  }

  private clear(off: number, end: number): void {
    this.trafficClass = this.flowLabel = this.payloadLen = this.nextHeader = this.hopLimit = 0;
    this.s0 = this.s1 = this.s2 = this.s3 = this.d0 = this.d1 = this.d2 = this.d3 = this.protocol = 0;
    this.base(off, end, end, L_NONE);
  }
}
