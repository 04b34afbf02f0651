/** Link and L2 layers: Ethernet, 802.1Q/802.1ad, 802.2 LLC/SNAP, ARP, Linux cooked v1/v2, BSD NULL/LOOP. */
import { Layer } from './layer.js';
import { LayerId, Reason, nextForEtherType } from './ids.js';

// Module constants: one context load on the hot path instead of two property loads.
const L_IPV4 = LayerId.IPV4;
const L_IPV6 = LayerId.IPV6;
const L_LLC = LayerId.LLC;
const L_NONE = LayerId.NONE;
const L_PAYLOAD = LayerId.PAYLOAD;
const R_ARP_TOO_SHORT = Reason.ARP_TOO_SHORT;
const R_ETH_TOO_SHORT = Reason.ETH_TOO_SHORT;
const R_LLC_TOO_SHORT = Reason.LLC_TOO_SHORT;
const R_NULL_TOO_SHORT = Reason.NULL_TOO_SHORT;
const R_SLL2_TOO_SHORT = Reason.SLL2_TOO_SHORT;
const R_SLL_TOO_SHORT = Reason.SLL_TOO_SHORT;
const R_VLAN_TOO_SHORT = Reason.VLAN_TOO_SHORT;

export class Ethernet extends Layer {
  dstHi = 0;
  dstLo = 0;
  srcHi = 0;
  srcLo = 0;
  /** EtherType, or the 802.3 length when <= 1500 (then `next` is LLC). */
  etherType = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 14) {
      this.dstHi = this.dstLo = this.srcHi = this.srcLo = this.etherType = 0;
      this.base(off, end, end, L_NONE);
      return R_ETH_TOO_SHORT;
    }
    this.dstHi = view.getUint16(off);
    this.dstLo = view.getUint32(off + 2);
    this.srcHi = view.getUint16(off + 6);
    this.srcLo = view.getUint32(off + 8);
    const et = view.getUint16(off + 12);
    this.etherType = et;
    if (et <= 1500) {
      // 802.3: the length field bounds the LLC payload (the rest is padding).
      const e = off + 14 + et;
      this.base(off, off + 14, e < end ? e : end, L_LLC);
    } else {
      this.base(off, off + 14, end, nextForEtherType(et));
    }
    return 0;
  }
}

/** One 802.1Q / 802.1ad tag (4 bytes after the TPID that announced it). */
export class Dot1Q extends Layer {
  tpid = 0;
  pcp = 0;
  dei = 0;
  vid = 0;
  etherType = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 4) {
      this.pcp = this.dei = this.vid = this.etherType = 0;
      this.base(off, end, end, L_NONE);
      return R_VLAN_TOO_SHORT;
    }
    const tci = view.getUint16(off);
    this.pcp = (tci >>> 13) & 0x07;
    this.dei = (tci >>> 12) & 0x01;
    this.vid = tci & 0x0fff;
    const et = view.getUint16(off + 2);
    this.etherType = et;
    this.base(off, off + 4, end, nextForEtherType(et));
    return 0;
  }
}

/** 802.2 LLC, with SNAP (AA AA 03 + OUI + PID): an OUI of 0 carries an EtherType. */
export class Llc extends Layer {
  dsap = 0;
  ssap = 0;
  control = 0;
  snap = 0;
  oui = 0;
  pid = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 3) {
      this.dsap = this.ssap = this.control = this.snap = this.oui = this.pid = 0;
      this.base(off, end, end, L_NONE);
      return R_LLC_TOO_SHORT;
    }
    this.dsap = view.getUint8(off);
    this.ssap = view.getUint8(off + 1);
    const c0 = view.getUint8(off + 2);
    let hl = 3;
    if ((c0 & 0x03) !== 0x03) {
      if (end - off < 4) {
        this.control = c0;
        this.snap = this.oui = this.pid = 0;
        this.base(off, end, end, L_NONE);
        return R_LLC_TOO_SHORT;
      }
      this.control = (c0 << 8) | view.getUint8(off + 3);
      hl = 4;
    } else this.control = c0;
    if (this.dsap === 0xaa && this.ssap === 0xaa && hl === 3) {
      if (end - off < 8) {
        this.snap = this.oui = this.pid = 0;
        this.base(off, end, end, L_NONE);
        return R_LLC_TOO_SHORT;
      }
      this.snap = 1;
      this.oui = (view.getUint8(off + 3) << 16) | view.getUint16(off + 4);
      this.pid = view.getUint16(off + 6);
      const next = this.oui === 0 ? nextForEtherType(this.pid) : L_PAYLOAD;
      this.base(off, off + 8, end, next === L_LLC ? L_PAYLOAD : next);
      return 0;
    }
    this.snap = this.oui = this.pid = 0;
    this.base(off, off + hl, end, off + hl < end ? L_PAYLOAD : L_NONE);
    return 0;
  }
}

export class Arp extends Layer {
  htype = 0;
  ptype = 0;
  hlen = 0;
  plen = 0;
  op = 0;
  /** Sender/target hardware addresses as hi16 + lo32, protocol addresses as u32 (Ethernet + IPv4 ARP only). */
  shaHi = 0;
  shaLo = 0;
  spa = 0;
  thaHi = 0;
  thaLo = 0;
  tpa = 0;

  decode(view: DataView, off: number, end: number): number {
    this.shaHi = this.shaLo = this.spa = this.thaHi = this.thaLo = this.tpa = 0;
    if (end - off < 8) {
      this.htype = this.ptype = this.hlen = this.plen = this.op = 0;
      this.base(off, end, end, L_NONE);
      return R_ARP_TOO_SHORT;
    }
    this.htype = view.getUint16(off);
    this.ptype = view.getUint16(off + 2);
    const hlen = (this.hlen = view.getUint8(off + 4));
    const plen = (this.plen = view.getUint8(off + 5));
    this.op = view.getUint16(off + 6);
    const len = 8 + 2 * (hlen + plen);
    if (end - off < len) {
      this.base(off, end, end, L_NONE);
      return R_ARP_TOO_SHORT;
    }
    if (hlen === 6 && plen === 4) {
      this.shaHi = view.getUint16(off + 8);
      this.shaLo = view.getUint32(off + 10);
      this.spa = view.getUint32(off + 14);
      this.thaHi = view.getUint16(off + 18);
      this.thaLo = view.getUint32(off + 20);
      this.tpa = view.getUint32(off + 24);
    }
    this.base(off, off + len, end, L_NONE);
    return 0;
  }
}

/** Linux cooked capture v1 (DLT_LINUX_SLL, 16 bytes). */
export class Sll extends Layer {
  pktType = 0;
  arphrd = 0;
  addrLen = 0;
  addrHi = 0;
  addrLo = 0;
  protocol = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 16) {
      this.pktType = this.arphrd = this.addrLen = this.addrHi = this.addrLo = this.protocol = 0;
      this.base(off, end, end, L_NONE);
      return R_SLL_TOO_SHORT;
    }
    this.pktType = view.getUint16(off);
    this.arphrd = view.getUint16(off + 2);
    this.addrLen = view.getUint16(off + 4);
    this.addrHi = view.getUint16(off + 6);
    this.addrLo = view.getUint32(off + 8);
    const p = (this.protocol = view.getUint16(off + 14));
    this.base(off, off + 16, end, sllNext(this.arphrd, p));
    return 0;
  }
}

/** Linux cooked capture v2 (DLT_LINUX_SLL2, 20 bytes, with the interface index). */
export class Sll2 extends Layer {
  protocol = 0;
  ifindex = 0;
  arphrd = 0;
  pktType = 0;
  addrLen = 0;
  addrHi = 0;
  addrLo = 0;

  decode(view: DataView, off: number, end: number): number {
    if (end - off < 20) {
      this.protocol = this.ifindex = this.arphrd = this.pktType = this.addrLen = this.addrHi = this.addrLo = 0;
      this.base(off, end, end, L_NONE);
      return R_SLL2_TOO_SHORT;
    }
    const p = (this.protocol = view.getUint16(off));
    this.ifindex = view.getUint32(off + 4);
    this.arphrd = view.getUint16(off + 8);
    this.pktType = view.getUint8(off + 10);
    this.addrLen = view.getUint8(off + 11);
    this.addrHi = view.getUint16(off + 12);
    this.addrLo = view.getUint32(off + 14);
    this.base(off, off + 20, end, sllNext(this.arphrd, p));
    return 0;
  }
}

function sllNext(arphrd: number, p: number): number {
  // ARPHRD_ETHER (1) / loopback (772) / none (0xfffe) carry an EtherType; 1 = 802.3 (Novell), 4 = 802.2 LLC.
  if (p === 0x0004) return L_LLC;
  if (p <= 1500) return L_PAYLOAD;
  return arphrd === 824 /* netlink */ ? L_PAYLOAD : nextForEtherType(p);
}

/** BSD loopback: DLT_NULL (4-byte family in the writer's byte order) and DLT_LOOP (network order). */
export class NullLoop extends Layer {
  family = 0;

  decodeWith(view: DataView, off: number, end: number, networkOrder: boolean): number {
    if (end - off < 4) {
      this.family = 0;
      this.base(off, end, end, L_NONE);
      return R_NULL_TOO_SHORT;
    }
    let f = view.getUint32(off, !networkOrder);
    if (f > 0xffff) f = view.getUint32(off, networkOrder); // written on a host of the other byte order
    this.family = f;
    let next: number = L_PAYLOAD;
    if (f === 2) next = L_IPV4;
    else if (f === 10 || f === 24 || f === 28 || f === 30) next = L_IPV6;
    this.base(off, off + 4, end, next);
    return 0;
  }

  decode(view: DataView, off: number, end: number): number {
    return this.decodeWith(view, off, end, false);
  }
}
