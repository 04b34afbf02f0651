/**
 * FrameParser: one per worker, one set of layer objects per parser (plus an inner set for the frame
 * inside a tunnel). `decode()` never throws on any bytes and allocates nothing: it overwrites the
 * layer objects, fills `decoded[0..count)` with layer ids (inner ones | INNER) and, for a frame that
 * stops early, sets `reason` and counts it in `counters[reason]`.
 */
import { Arp, Dot1Q, Ethernet, Llc, NullLoop, Sll, Sll2 } from './l2.js';
import { IPv4, IPv6 } from './l3.js';
import { Icmp, Icmpv6, Tcp, Udp } from './l4.js';
import { Geneve, Gre, VxLan } from './tunnel.js';
import { CUT_BY_SNAPLEN, Direction, INNER, LayerId, REASON_COUNT, Reason, RxClass, TunnelType } from './ids.js';

// Module constants: one context load on the hot path instead of two property loads.
const L_ARP = LayerId.ARP;
const L_DOT1Q = LayerId.DOT1Q;
const L_ETHERNET = LayerId.ETHERNET;
const L_GENEVE = LayerId.GENEVE;
const L_GRE = LayerId.GRE;
const L_ICMP = LayerId.ICMP;
const L_ICMPV6 = LayerId.ICMPV6;
const L_IPV4 = LayerId.IPV4;
const L_IPV6 = LayerId.IPV6;
const L_LLC = LayerId.LLC;
const L_NONE = LayerId.NONE;
const L_NULL = LayerId.NULL;
const L_PAYLOAD = LayerId.PAYLOAD;
const L_SLL = LayerId.SLL;
const L_SLL2 = LayerId.SLL2;
const L_TCP = LayerId.TCP;
const L_UDP = LayerId.UDP;
const L_VXLAN = LayerId.VXLAN;
const R_DECODER_EXCEPTION = Reason.DECODER_EXCEPTION;
const R_IPV4_TOO_SHORT = Reason.IPV4_TOO_SHORT;
const R_IPV6_EXT_CHAIN_TOO_LONG = Reason.IPV6_EXT_CHAIN_TOO_LONG;
const R_IPV6_EXT_TOO_SHORT = Reason.IPV6_EXT_TOO_SHORT;
const R_LINKTYPE_UNKNOWN = Reason.LINKTYPE_UNKNOWN;
const R_RAW_BAD_VERSION = Reason.RAW_BAD_VERSION;
const R_TOO_MANY_LAYERS = Reason.TOO_MANY_LAYERS;
const R_VLAN_TOO_MANY = Reason.VLAN_TOO_MANY;

export const MAX_LAYERS = 16;
/** Slots of FrameParser's shared tallies. */
const T_SNAPPED = 0;
const T_NESTED = 1;
export const MAX_VLANS = 3;

/** The layers of one level (the outer frame, or the frame inside a tunnel). */
export class LayerSet {
  readonly ethernet = new Ethernet();
  readonly vlans: readonly [Dot1Q, Dot1Q, Dot1Q] = [new Dot1Q(), new Dot1Q(), new Dot1Q()];
  readonly llc = new Llc();
  readonly arp = new Arp();
  readonly ipv4 = new IPv4();
  readonly ipv6 = new IPv6();
  readonly tcp = new Tcp();
  readonly udp = new Udp();
  readonly icmp = new Icmp();
  readonly icmpv6 = new Icmpv6();
  /** Bit (1 << LayerId) for every layer decoded in this set. */
  mask = 0;
  vlanCount = 0;
  /** LayerId of the network layer decoded here (IPV4, IPV6, ARP) or 0; of the transport (TCP, UDP, ICMP, ICMPV6) or 0. */
  net = 0;
  transport = 0;
  /** The last EtherType seen in this set (after the VLAN tags / SNAP). */
  etherType = 0;

  has(id: number): boolean {
    return (this.mask & (1 << id)) !== 0;
  }

  reset(): void {
    this.mask = this.vlanCount = this.net = this.transport = this.etherType = 0;
  }
}

export class FrameParser {
  readonly outer = new LayerSet();
  readonly inner = new LayerSet();
  readonly sll = new Sll();
  readonly sll2 = new Sll2();
  readonly nullLoop = new NullLoop();
  readonly vxlan = new VxLan();
  readonly geneve = new Geneve();
  readonly gre = new Gre();

  readonly decoded = new Uint8Array(MAX_LAYERS);
  count = 0;
  linkType = 0;
  frameOff = 0;
  caplen = 0;
  wirelen = 0;
  /** Reason the last frame stopped early (0 = decoded to its end). */
  reason = 0;
  /** 1 when the last frame was captured shorter than its wire length. */
  snapped = 0;
  /** The set holding the flow's layers: the inner one for a tunnelled frame that decoded inside. */
  flowSet: LayerSet = this.outer;
  tunnelType = 0;
  tunnelId = 0;
  rxClass = 0;
  direction = 0;

  /**
   * Malformed frames by Reason (index 0 unused); a frame counts once, under the reason it stopped at
   * or its first anomaly. Shared with the parsers made with `new FrameParser(this)`.
   */
  readonly counters: Float64Array;
  /** [frames cut by the snaplen, nested tunnels]: shared as `counters` is. */
  private readonly tallies: Float64Array;

  /**
   * `countsWith`: a parser whose counters this one adds to (a pipeline decodes a group of frames
   * into several parsers before it accounts them; they count as one).
   */
  constructor(countsWith?: FrameParser) {
    this.counters = countsWith ? countsWith.counters : new Float64Array(REASON_COUNT);
    this.tallies = countsWith ? countsWith.tallies : new Float64Array(2);
  }

  /** Frames cut by the snaplen (not malformed). */
  get snappedFrames(): number {
    return this.tallies[T_SNAPPED]!;
  }
  /** Tunnels inside tunnels: the second tunnel's payload is not decoded. */
  get nestedTunnels(): number {
    return this.tallies[T_NESTED]!;
  }

  private nicHi = 0;
  private nicLo = 0;
  private nicKnown = false;
  nicPromisc = false;

  /** The capturing NIC: its MAC (for the receive class) and whether it is promiscuous. */
  setNic(mac: { hi: number; lo: number } | null, promisc = false): void {
    this.nicKnown = mac !== null;
    this.nicHi = mac?.hi ?? 0;
    this.nicLo = mac?.lo ?? 0;
    this.nicPromisc = promisc;
  }

  /** Decodes one frame of `caplen` bytes at `off` of the batch buffer. Returns `reason` (0 = ok). */
  decode(linkType: number, _buf: Uint8Array, view: DataView, off: number, caplen: number, wirelen: number): number {
    const end = off + caplen;
    this.count = 0;
    this.reason = 0;
    this.linkType = linkType;
    this.frameOff = off;
    this.caplen = caplen;
    this.wirelen = wirelen;
    this.snapped = caplen < wirelen ? 1 : 0;
    this.tunnelType = this.tunnelId = this.rxClass = this.direction = 0;
    const outer = this.outer;
    const inner = this.inner;
    outer.reset();
    inner.reset();
    this.flowSet = outer;
    let set = outer;
    let innerFlag = 0;
    let p = off;
    let e = end;
    let next: number;
    let st = 0;
    let an = 0;
    const d = this.decoded;

    switch (linkType) {
      case 1:
        next = L_ETHERNET;
        break;
      case 101:
      case 12:
      case 14: {
        const v = caplen > 0 ? view.getUint8(off) >>> 4 : 0;
        if (v === 4) next = L_IPV4;
        else if (v === 6) next = L_IPV6;
        else return this.fail(caplen > 0 ? R_RAW_BAD_VERSION : R_IPV4_TOO_SHORT);
        break;
      }
      case 113: {
        const l = this.sll;
        st = l.decode(view, off, end);
        if (st !== 0) return this.fail(st);
        d[this.count++] = L_SLL;
        outer.etherType = l.protocol;
        p = l.payloadOff;
        next = l.next;
        break;
      }
      case 276: {
        const l = this.sll2;
        st = l.decode(view, off, end);
        if (st !== 0) return this.fail(st);
        d[this.count++] = L_SLL2;
        outer.etherType = l.protocol;
        p = l.payloadOff;
        next = l.next;
        break;
      }
      case 0:
      case 108: {
        const l = this.nullLoop;
        st = l.decodeWith(view, off, end, linkType === 108);
        if (st !== 0) return this.fail(st);
        d[this.count++] = L_NULL;
        p = l.payloadOff;
        next = l.next;
        break;
      }
      default:
        return this.fail(R_LINKTYPE_UNKNOWN);
    }

    while (next !== L_NONE && next !== L_PAYLOAD) {
      if (this.count >= MAX_LAYERS) {
        st = R_TOO_MANY_LAYERS;
        break;
      }
      const id = next;
      switch (id) {
        case L_ETHERNET: {
          if (set.mask !== 0 && (set.mask & (1 << L_ETHERNET)) !== 0) {
            next = L_PAYLOAD; // Ethernet in Ethernet in one set: leave it as payload
            continue;
          }
          const l = set.ethernet;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          if (l.etherType > 1500) set.etherType = l.etherType;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          break;
        }
        case L_DOT1Q: {
          if (set.vlanCount === MAX_VLANS) {
            st = R_VLAN_TOO_MANY;
            break;
          }
          const l = set.vlans[set.vlanCount as 0 | 1 | 2];
          st = l.decode(view, p, e);
          if (st !== 0) break;
          l.tpid = set.etherType;
          set.vlanCount++;
          set.etherType = l.etherType;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          break;
        }
        case L_LLC: {
          const l = set.llc;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          if (l.snap === 1) set.etherType = l.pid;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          break;
        }
        case L_ARP: {
          const l = set.arp;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.net = L_ARP;
          next = L_NONE;
          break;
        }
        case L_IPV4: {
          if (set.net !== 0) {
            next = L_PAYLOAD; // IP in IP: the inner header is left as payload
            continue;
          }
          const l = set.ipv4;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.net = L_IPV4;
          if (l.anomaly !== 0 && an === 0) an = l.anomaly;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          break;
        }
        case L_IPV6: {
          if (set.net !== 0) {
            next = L_PAYLOAD;
            continue;
          }
          const l = set.ipv6;
          st = l.decode(view, p, e);
          if (st !== 0) {
            // The fixed header decoded but the extension chain did not: keep IPv6 for the flow.
            if (st === R_IPV6_EXT_TOO_SHORT || st === R_IPV6_EXT_CHAIN_TOO_LONG) {
              set.net = L_IPV6;
              set.mask |= 1 << L_IPV6;
              d[this.count++] = L_IPV6 | innerFlag;
            }
            break;
          }
          set.net = L_IPV6;
          if (l.anomaly !== 0 && an === 0) an = l.anomaly;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          break;
        }
        case L_TCP: {
          const l = set.tcp;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.transport = L_TCP;
          if (l.anomaly !== 0 && an === 0) an = l.anomaly;
          p = l.payloadOff;
          next = l.next;
          break;
        }
        case L_UDP: {
          const l = set.udp;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.transport = L_UDP;
          if (l.anomaly !== 0 && an === 0) an = l.anomaly;
          p = l.payloadOff;
          e = l.payloadEnd;
          next = l.next;
          if (innerFlag !== 0 && (next === L_VXLAN || next === L_GENEVE)) {
            this.tallies[T_NESTED]! += 1;
            next = L_PAYLOAD;
          }
          break;
        }
        case L_ICMP: {
          const l = set.icmp;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.transport = L_ICMP;
          next = l.next;
          break;
        }
        case L_ICMPV6: {
          const l = set.icmpv6;
          st = l.decode(view, p, e);
          if (st !== 0) break;
          set.transport = L_ICMPV6;
          if (l.anomaly !== 0 && an === 0) an = l.anomaly;
          next = l.next;
          break;
        }
        case L_VXLAN:
        case L_GENEVE:
        case L_GRE: {
          if (innerFlag !== 0) {
            this.tallies[T_NESTED]! += 1;
            next = L_PAYLOAD;
            continue;
          }
          if (id === L_VXLAN) {
            const l = this.vxlan;
            st = l.decode(view, p, e);
            if (st !== 0) break;
            this.tunnelType = TunnelType.VXLAN;
            this.tunnelId = l.vni;
            p = l.payloadOff;
            next = l.next;
          } else if (id === L_GENEVE) {
            const l = this.geneve;
            st = l.decode(view, p, e);
            if (st !== 0) break;
            this.tunnelType = TunnelType.GENEVE;
            this.tunnelId = l.vni;
            p = l.payloadOff;
            next = l.next;
          } else {
            const l = this.gre;
            st = l.decode(view, p, e);
            if (st !== 0) break;
            this.tunnelType = TunnelType.GRE;
            this.tunnelId = l.key;
            p = l.payloadOff;
            next = l.next;
          }
          set.mask |= 1 << id;
          d[this.count++] = id;
          set = inner;
          innerFlag = INNER;
          continue;
        }
        default:
          next = L_PAYLOAD;
          continue;
      }
      if (st !== 0) break;
      set.mask |= 1 << id;
      d[this.count++] = id | innerFlag;
    }
    if (next === L_PAYLOAD && st === 0 && this.count < MAX_LAYERS) d[this.count++] = L_PAYLOAD | innerFlag;
    if (inner.mask !== 0) this.flowSet = inner;
    this.classify();
    if (st !== 0) return this.fail(st);
    if (an !== 0) this.count1(an);
    return 0;
  }

  /** Records why the frame stopped; counted unless the snaplen explains it. Never throws. */
  private fail(reason: number): number {
    this.reason = reason;
    this.count1(reason);
    if (this.count === 0) this.classify();
    return reason;
  }

  private count1(reason: number): void {
    if (this.snapped === 1 && CUT_BY_SNAPLEN[reason] === 1) this.tallies[T_SNAPPED]! += 1;
    else this.counters[reason]! += 1;
  }

  /** Counts a frame that threw inside the decoder (a bug): called by the batch loop's single catch. */
  countException(): void {
    this.reason = R_DECODER_EXCEPTION;
    this.counters[R_DECODER_EXCEPTION]! += 1;
  }

  /** Receive class and direction of the outer frame. */
  private classify(): void {
    const lt = this.linkType;
    if (lt === 113 || lt === 276) {
      if (this.count === 0) return;
      const t = lt === 113 ? this.sll.pktType : this.sll2.pktType;
      // PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4
      if (t === 4) {
        this.rxClass = RxClass.OUTGOING;
        this.direction = Direction.OUT;
      } else if (t <= 3) {
        this.rxClass =
          t === 0 ? RxClass.HOST : t === 1 ? RxClass.BROADCAST : t === 2 ? RxClass.MULTICAST : RxClass.PROMISC;
        this.direction = Direction.IN;
      }
      return;
    }
    const o = this.outer;
    if (lt !== 1 || (o.mask & (1 << L_ETHERNET)) === 0) return;
    const eth = o.ethernet;
    if (this.nicKnown && eth.srcHi === this.nicHi && eth.srcLo === this.nicLo) {
      this.rxClass = RxClass.OUTGOING;
      this.direction = Direction.OUT;
      return;
    }
    if (eth.dstHi === 0xffff && eth.dstLo === 0xffffffff) this.rxClass = RxClass.BROADCAST;
    else if ((eth.dstHi & 0x0100) !== 0) this.rxClass = RxClass.MULTICAST;
    else if (!this.nicKnown) return;
    else if (eth.dstHi === this.nicHi && eth.dstLo === this.nicLo) this.rxClass = RxClass.HOST;
    else this.rxClass = RxClass.PROMISC;
    if (this.nicKnown) this.direction = Direction.IN;
  }

  /** Frames counted as malformed, all reasons. */
  malformedTotal(): number {
    let n = 0;
    for (let i = 1; i < REASON_COUNT; i++) n += this.counters[i]!;
    return n;
  }
}

/** Parses "aa:bb:cc:dd:ee:ff" into hi16/lo32 (for setNic); null when it is not a MAC. */
export function parseMac(s: string): { hi: number; lo: number } | null {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(s.trim());
  if (!m) return null;
  const b = m.slice(1).map((x) => parseInt(x, 16));
  return { hi: (b[0]! << 8) | b[1]!, lo: ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0 };
}
