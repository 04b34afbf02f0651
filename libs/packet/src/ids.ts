/**
 * Numeric registries of the decoder: layer ids, malformed reasons, receive classes and directions.
 * Plain `as const` objects (not `const enum`, which isolatedModules forbids), read as numbers on the hot path.
 */

/** One id per layer class. `decoded[]` holds these; inner (tunnelled) layers carry INNER in addition. */
export const LayerId = {
  NONE: 0,
  ETHERNET: 1,
  DOT1Q: 2,
  LLC: 3,
  ARP: 4,
  IPV4: 5,
  IPV6: 6,
  TCP: 7,
  UDP: 8,
  ICMP: 9,
  ICMPV6: 10,
  VXLAN: 11,
  GENEVE: 12,
  GRE: 13,
  SLL: 14,
  SLL2: 15,
  NULL: 16,
  /** Bytes the decoder does not interpret (unknown EtherType / protocol, later IP fragments). */
  PAYLOAD: 17,
} as const;
export const LAYER_COUNT = 18;
export const INNER = 0x20;
export const LAYER_NAMES: readonly string[] = [
  'none',
  'ethernet',
  'dot1q',
  'llc',
  'arp',
  'ipv4',
  'ipv6',
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'vxlan',
  'geneve',
  'gre',
  'sll',
  'sll2',
  'null',
  'payload',
];

/** Why a frame did not decode to its end. 0 = fine. Counted in `FrameParser.counters[reason]`. */
export const Reason = {
  NONE: 0,
  LINKTYPE_UNKNOWN: 1,
  NULL_TOO_SHORT: 2,
  NULL_UNKNOWN_FAMILY: 3,
  SLL_TOO_SHORT: 4,
  SLL2_TOO_SHORT: 5,
  RAW_BAD_VERSION: 6,
  ETH_TOO_SHORT: 7,
  VLAN_TOO_SHORT: 8,
  VLAN_TOO_MANY: 9,
  LLC_TOO_SHORT: 10,
  ARP_TOO_SHORT: 11,
  IPV4_TOO_SHORT: 12,
  IPV4_BAD_VERSION: 13,
  IPV4_BAD_IHL: 14,
  IPV4_BAD_TOTAL_LEN: 15,
  IPV4_LEN_EXCEEDS_FRAME: 16,
  IPV4_OPT_MALFORMED: 17,
  IPV6_TOO_SHORT: 18,
  IPV6_BAD_VERSION: 19,
  IPV6_LEN_EXCEEDS_FRAME: 20,
  IPV6_EXT_TOO_SHORT: 21,
  IPV6_EXT_CHAIN_TOO_LONG: 22,
  TCP_TOO_SHORT: 23,
  TCP_BAD_OFFSET: 24,
  TCP_OPT_MALFORMED: 25,
  UDP_TOO_SHORT: 26,
  UDP_BAD_LENGTH: 27,
  ICMP_TOO_SHORT: 28,
  ICMPV6_TOO_SHORT: 29,
  VXLAN_TOO_SHORT: 30,
  GENEVE_TOO_SHORT: 31,
  GENEVE_BAD_VERSION: 32,
  GRE_TOO_SHORT: 33,
  GRE_BAD_VERSION: 34,
  TOO_MANY_LAYERS: 35,
  DECODER_EXCEPTION: 36,
} as const;
export const REASON_COUNT = 37;
export const REASON_NAMES: readonly string[] = [
  'none',
  'linktype_unknown',
  'null_too_short',
  'null_unknown_family',
  'sll_too_short',
  'sll2_too_short',
  'raw_bad_version',
  'eth_too_short',
  'vlan_too_short',
  'vlan_too_many',
  'llc_too_short',
  'arp_too_short',
  'ipv4_too_short',
  'ipv4_bad_version',
  'ipv4_bad_ihl',
  'ipv4_bad_total_len',
  'ipv4_len_exceeds_frame',
  'ipv4_opt_malformed',
  'ipv6_too_short',
  'ipv6_bad_version',
  'ipv6_len_exceeds_frame',
  'ipv6_ext_too_short',
  'ipv6_ext_chain_too_long',
  'tcp_too_short',
  'tcp_bad_offset',
  'tcp_opt_malformed',
  'udp_too_short',
  'udp_bad_length',
  'icmp_too_short',
  'icmpv6_too_short',
  'vxlan_too_short',
  'geneve_too_short',
  'geneve_bad_version',
  'gre_too_short',
  'gre_bad_version',
  'too_many_layers',
  'decoder_exception',
];

/**
 * Reasons that a snaplen cut explains (the frame was captured shorter than it was on the wire): when
 * `caplen < wirelen` they are counted as `snapped`, not as malformed.
 */
export const CUT_BY_SNAPLEN: Uint8Array = (() => {
  const t = new Uint8Array(REASON_COUNT);
  for (const r of [
    Reason.NULL_TOO_SHORT,
    Reason.SLL_TOO_SHORT,
    Reason.SLL2_TOO_SHORT,
    Reason.ETH_TOO_SHORT,
    Reason.VLAN_TOO_SHORT,
    Reason.LLC_TOO_SHORT,
    Reason.ARP_TOO_SHORT,
    Reason.IPV4_TOO_SHORT,
    Reason.IPV4_LEN_EXCEEDS_FRAME,
    Reason.IPV6_TOO_SHORT,
    Reason.IPV6_LEN_EXCEEDS_FRAME,
    Reason.IPV6_EXT_TOO_SHORT,
    Reason.TCP_TOO_SHORT,
    Reason.TCP_OPT_MALFORMED,
    Reason.UDP_TOO_SHORT,
    Reason.ICMP_TOO_SHORT,
    Reason.ICMPV6_TOO_SHORT,
    Reason.VXLAN_TOO_SHORT,
    Reason.GENEVE_TOO_SHORT,
    Reason.GRE_TOO_SHORT,
    Reason.IPV4_OPT_MALFORMED,
  ])
    t[r] = 1;
  return t;
})();

/** The NIC receive mode that accepts a frame (or that it left through). */
export const RxClass = { UNKNOWN: 0, HOST: 1, BROADCAST: 2, MULTICAST: 3, PROMISC: 4, OUTGOING: 5 } as const;
export const RX_CLASS_NAMES: readonly string[] = ['unknown', 'host', 'broadcast', 'multicast', 'promisc', 'outgoing'];

export const Direction = { UNKNOWN: 0, IN: 1, OUT: 2 } as const;
export const DIRECTION_NAMES: readonly string[] = ['unknown', 'in', 'out'];

/** Tunnel types as the flow key and the flow records carry them. */
export const TunnelType = { NONE: 0, VXLAN: 1, GENEVE: 2, GRE: 3 } as const;
export const TUNNEL_NAMES: readonly string[] = ['', 'vxlan', 'geneve', 'gre'];

/** DLT values as libpcap reports them. */
export const Dlt = {
  NULL: 0,
  EN10MB: 1,
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  IPV6: 0x86dd,
  DOT1Q: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  TEB: 0x6558,
} as const;

export const IpProto = { ICMP: 1, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47, ICMPV6: 58 } as const;

/** Layer that follows an EtherType (or length) value. */
export function nextForEtherType(et: number): number {
  switch (et) {
    case 0x0800:
      return LayerId.IPV4;
    case 0x86dd:
      return LayerId.IPV6;
    case 0x0806:
      return LayerId.ARP;
    case 0x8100:
    case 0x88a8:
    case 0x9100:
      return LayerId.DOT1Q;
    case 0x6558:
      return LayerId.ETHERNET;
    default:
      return et <= 1500 ? LayerId.LLC : LayerId.PAYLOAD;
  }
}

/** Layer that follows an IP protocol number. */
export function nextForIpProto(p: number): number {
  switch (p) {
    case 6:
      return LayerId.TCP;
    case 17:
      return LayerId.UDP;
    case 1:
      return LayerId.ICMP;
    case 58:
      return LayerId.ICMPV6;
    case 47:
      return LayerId.GRE;
    case 4:
      return LayerId.IPV4;
    case 41:
      return LayerId.IPV6;
    case 59:
      return LayerId.NONE;
    default:
      return LayerId.PAYLOAD;
  }
}

export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
