/** Tunnel layers of virtual networks: VXLAN (UDP 4789), Geneve (UDP 6081), GRE (key, TEB). */
import { Layer } from './layer.js';
import { LayerId, Reason } from './ids.js';

// Module constants: one context load on the hot path instead of two property loads.
const L_ETHERNET = LayerId.ETHERNET;
const L_IPV4 = LayerId.IPV4;
const L_IPV6 = LayerId.IPV6;
const L_NONE = LayerId.NONE;
const L_PAYLOAD = LayerId.PAYLOAD;
const R_GENEVE_BAD_VERSION = Reason.GENEVE_BAD_VERSION;
const R_GENEVE_TOO_SHORT = Reason.GENEVE_TOO_SHORT;
const R_GRE_BAD_VERSION = Reason.GRE_BAD_VERSION;
const R_GRE_TOO_SHORT = Reason.GRE_TOO_SHORT;
const R_VXLAN_TOO_SHORT = Reason.VXLAN_TOO_SHORT;

function nextForTunnelProto(p: number): number {
  if (p === 0x6558) return L_ETHERNET;
  if (p === 0x0800) return L_IPV4;
  if (p === 0x86dd) return L_IPV6;
  return L_PAYLOAD;
}

export class VxLan extends Layer {
  flags = 0;
  vni = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 8) {
      this.flags = this.vni = 0;
      this.base(off, end, end, L_NONE);
      return R_VXLAN_TOO_SHORT;
    }
    this.flags = view.getUint8(off);
    this.vni = view.getUint32(off + 4) >>> 8;
    this.base(off, off + 8, end, L_ETHERNET);
    return 0;
  }
}

export class Geneve extends Layer {
  version = 0;
  optLen = 0;
  oam = 0;
  critical = 0;
  protocol = 0;
  vni = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 8) {
      this.version = this.optLen = this.oam = this.critical = this.protocol = this.vni = 0;
      this.base(off, end, end, L_NONE);
      return R_GENEVE_TOO_SHORT;
    }
    const b0 = view.getUint8(off);
    const b1 = view.getUint8(off + 1);
    this.version = b0 >>> 6;
    const ol = (this.optLen = (b0 & 0x3f) * 4);
    this.oam = (b1 >>> 7) & 1;
    this.critical = (b1 >>> 6) & 1;
    const p = (this.protocol = view.getUint16(off + 2));
    this.vni = view.getUint32(off + 4) >>> 8;
    if (this.version !== 0) {
      this.base(off, end, end, L_NONE);
      return R_GENEVE_BAD_VERSION;
    }
    if (end - off < 8 + ol) {
      this.base(off, end, end, L_NONE);
      return R_GENEVE_TOO_SHORT;
    }
    this.base(off, off + 8 + ol, end, nextForTunnelProto(p));
    return 0;
  }
}

export class Gre extends Layer {
  /** Flag bits: checksum 0x8000, routing 0x4000, key 0x2000, sequence 0x1000. */
  flags = 0;
  version = 0;
  protocol = 0;
  hasKey = 0;
  key = 0;
  hasSeq = 0;
  seq = 0;

  decode(view: DataView, off: number, end: number): number {
    this.hasKey = this.key = this.hasSeq = this.seq = 0;
    if (end - off < 4) {
      this.flags = this.version = this.protocol = 0;
      this.base(off, end, end, L_NONE);
      return R_GRE_TOO_SHORT;
    }
    const w = view.getUint16(off);
    this.flags = w & 0xf000;
    const ver = (this.version = w & 0x07);
    const p = (this.protocol = view.getUint16(off + 2));
    if (ver > 1) {
      this.base(off, end, end, L_NONE);
      return R_GRE_BAD_VERSION;
    }
    let hl = 4;
    if (w & 0xc000) hl += 4;
    const keyAt = off + hl;
    if (w & 0x2000) hl += 4;
    const seqAt = off + hl;
    if (w & 0x1000) hl += 4;
    if (end - off < hl) {
      this.base(off, end, end, L_NONE);
      return R_GRE_TOO_SHORT;
    }
    if (w & 0x2000) {
      this.hasKey = 1;
      this.key = view.getUint32(keyAt);
    }
    if (w & 0x1000) {
      this.hasSeq = 1;
      this.seq = view.getUint32(seqAt);
    }
    this.base(off, off + hl, end, ver === 0 ? nextForTunnelProto(p) : L_PAYLOAD);
    return 0;
  }
}
