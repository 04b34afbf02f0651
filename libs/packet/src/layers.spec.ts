import { describe, expect, it } from 'vitest';
import { FrameParser } from './parser.js';
import { Arp, Dot1Q, Ethernet, Llc, NullLoop, Sll, Sll2 } from './l2.js';
import { IPv4, IPv6 } from './l3.js';
import { Icmp, Icmpv6, Tcp, Udp } from './l4.js';
import { Geneve, Gre, VxLan } from './tunnel.js';
import { INNER, LayerId, Reason, RxClass, Direction, TunnelType } from './ids.js';
import * as B from '../test/build.js';

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';

function decode(frame: Uint8Array, linkType = 1, wirelen = frame.length, p = new FrameParser()): FrameParser {
  p.decode(linkType, frame, B.viewOf(frame), 0, frame.length, wirelen);
  return p;
}
const ids = (p: FrameParser): number[] => Array.from(p.decoded.subarray(0, p.count));

const TCP_SYN = B.eth(
  M2,
  M1,
  0x0800,
  B.ipv4(
    { src: '10.200.0.1', dst: '10.200.0.2', proto: 6 },
    B.tcp({ sport: 40000, dport: 80, flags: 0x02, seq: 1000, options: B.synOptions() }),
  ),
);

describe(Ethernet.name, () => {
  it('counts a 13-byte frame as eth_too_short and keeps nothing', () => {
    const p = decode(TCP_SYN.subarray(0, 13));
    expect(p.reason).toBe(Reason.ETH_TOO_SHORT);
    expect(p.counters[Reason.ETH_TOO_SHORT]).toBe(1);
    expect(p.count).toBe(0);
  });
  it('leaves an unknown EtherType as payload without a malformed count', () => {
    const p = decode(B.eth(M2, M1, 0x88b5, new Uint8Array(46)));
    expect(p.reason).toBe(0);
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.PAYLOAD]);
    expect(p.outer.etherType).toBe(0x88b5);
    expect(p.malformedTotal()).toBe(0);
  });
  it('decodes MACs as hi16/lo32 numbers', () => {
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 ...
    const p = decode(TCP_SYN);
    const e = p.outer.ethernet;
    expect([e.dstHi, e.dstLo, e.srcHi, e.srcLo, e.etherType]).toEqual([0x0200, 2, 0x0200, 1, 0x0800]);
  });
});

describe(Dot1Q.name, () => {
  const inner = B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, B.udp(1, 2, new Uint8Array(4)));
  it('counts a 3-byte VLAN tag as vlan_too_short and keeps Ethernet', () => {
    const p = decode(B.cat(B.mac(M2), B.mac(M1), B.hex('8100 000a 08')));
    expect(p.reason).toBe(Reason.VLAN_TOO_SHORT);
    expect(ids(p)).toEqual([LayerId.ETHERNET]);
  });
  it('leaves an unknown EtherType after the tag as payload', () => {
    const p = decode(B.eth(M2, M1, 0x8100, B.vlanTag(10, 0x88b5, new Uint8Array(40))));
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.DOT1Q, LayerId.PAYLOAD]);
    expect(p.outer.vlans[0].vid).toBe(10);
  });
  it('decodes a QinQ stack (802.1ad outer 100, 802.1Q inner 200)', () => {
    const p = decode(B.eth(M2, M1, 0x88a8, B.vlanTag(100, 0x8100, B.vlanTag(200, 0x0800, inner, 5))));
    expect(p.reason).toBe(0);
    expect(p.outer.vlanCount).toBe(2);
    expect([p.outer.vlans[0].vid, p.outer.vlans[0].tpid, p.outer.vlans[1].vid, p.outer.vlans[1].pcp]).toEqual([
      100, 0x88a8, 200, 5,
    ]);
    expect(p.outer.net).toBe(LayerId.IPV4);
  });
  it('counts a fourth tag as vlan_too_many and keeps three', () => {
    const f = B.eth(
      M2,
      M1,
      0x8100,
      B.vlanTag(1, 0x8100, B.vlanTag(2, 0x8100, B.vlanTag(3, 0x8100, B.vlanTag(4, 0x0800, inner)))),
    );
    const p = decode(f);
    expect(p.reason).toBe(Reason.VLAN_TOO_MANY);
    expect(p.outer.vlanCount).toBe(3);
  });
});

describe(Llc.name, () => {
  it('counts an 802.3 frame with 2 LLC bytes as llc_too_short', () => {
    const p = decode(B.cat(B.mac(M2), B.mac(M1), B.hex('0002 4242')));
    expect(p.reason).toBe(Reason.LLC_TOO_SHORT);
  });
  it('decodes STP (42 42 03) as LLC with an opaque payload', () => {
    const p = decode(B.eth('01:80:c2:00:00:00', M1, 38, B.cat(B.hex('424203'), new Uint8Array(35))));
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.LLC, LayerId.PAYLOAD]);
    expect(p.outer.llc.dsap).toBe(0x42);
    expect(p.rxClass).toBe(RxClass.MULTICAST);
  });
  it('follows SNAP with OUI 0 into its EtherType', () => {
    const ipf = B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 1 }, B.icmpEcho(8, 1, 1));
    const p = decode(B.eth(M2, M1, 8 + ipf.length, B.cat(B.hex('aaaa03 000000 0800'), ipf)));
    expect(p.outer.llc.snap).toBe(1);
    expect(p.outer.net).toBe(LayerId.IPV4);
    expect(p.outer.transport).toBe(LayerId.ICMP);
  });
});

describe(Arp.name, () => {
  const req = B.arp(1, M1, '10.200.0.1', '00:00:00:00:00:00', '10.200.0.2');
  it('counts a 20-byte ARP as arp_too_short', () => {
    const p = decode(B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, req.subarray(0, 20)));
    expect(p.reason).toBe(Reason.ARP_TOO_SHORT);
  });
  it('keeps lengths but no addresses for a non-Ethernet/IPv4 ARP', () => {
    const odd = B.cat(B.hex('0006 0800 0604 0001'), new Uint8Array(20));
    const p = decode(B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, odd));
    expect(p.reason).toBe(0);
    expect(p.outer.arp.htype).toBe(6);
    expect(p.outer.arp.spa).toBe(0);
  });
  it('decodes a broadcast request', () => {
    const p = decode(B.pad60(B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, req)));
    const a = p.outer.arp;
    expect([a.op, a.spa, a.tpa, a.shaLo]).toEqual([1, 0x0ac80001, 0x0ac80002, 1]);
    expect(p.rxClass).toBe(RxClass.BROADCAST);
  });
});

describe(IPv4.name, () => {
  const mk = (o: Partial<B.Ip4Opts>, pl = B.udp(5, 6, new Uint8Array(4))): Uint8Array =>
    B.eth(M2, M1, 0x0800, B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17, ...o }, pl));
  it('counts 19 bytes as ipv4_too_short', () => {
    const p = decode(mk({}).subarray(0, 14 + 19));
    expect(p.reason).toBe(Reason.IPV4_TOO_SHORT);
    expect(ids(p)).toEqual([LayerId.ETHERNET]);
  });
  it('leaves an unknown protocol (253) as payload', () => {
    const p = decode(mk({ proto: 253 }, new Uint8Array(10)));
    expect(p.reason).toBe(0);
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.IPV4, LayerId.PAYLOAD]);
    expect(p.outer.ipv4.protocol).toBe(253);
  });
  it('decodes options (record route) and the UDP behind them', () => {
    const rr = B.hex('07 07 04 00000000 00'); // RR, len 7, ptr 4, one slot; EOL
    const p = decode(mk({ options: rr }));
    expect(p.outer.ipv4.ihl).toBe(28);
    expect(p.outer.ipv4.optionsLen).toBe(8);
    expect(p.outer.udp.srcPort).toBe(5);
    expect(p.malformedTotal()).toBe(0);
  });
  it('counts a bad option length as ipv4_opt_malformed and still decodes UDP', () => {
    const p = decode(mk({ options: B.hex('07 09 04 00 00000000') }));
    expect(p.counters[Reason.IPV4_OPT_MALFORMED]).toBe(1);
    expect(p.outer.transport).toBe(LayerId.UDP);
  });
  it('counts version 5 and an IHL of 4', () => {
    const f = mk({});
    f[14] = 0x55;
    expect(decode(f).reason).toBe(Reason.IPV4_BAD_VERSION);
    f[14] = 0x44;
    expect(decode(f).reason).toBe(Reason.IPV4_BAD_IHL);
  });
  it('treats a later fragment as payload and the first as carrying ports', () => {
    const first = decode(mk({ mf: true, id: 7 }));
    expect(first.outer.ipv4.fragment).toBe(1);
    expect(first.outer.transport).toBe(LayerId.UDP);
    const later = decode(mk({ fragOff: 8, id: 7 }, new Uint8Array(8)));
    expect(later.outer.ipv4.fragOff).toBe(8);
    expect(later.outer.transport).toBe(0);
    expect(ids(later)).toEqual([LayerId.ETHERNET, LayerId.IPV4, LayerId.PAYLOAD]);
  });
  it('ignores Ethernet padding after the IP total length', () => {
    const p = decode(B.pad60(mk({}, B.udp(5, 6, new Uint8Array(0)))));
    expect(p.outer.ipv4.payloadEnd - p.outer.ipv4.payloadOff).toBe(8);
    expect(p.outer.udp.payloadEnd).toBe(p.outer.udp.payloadOff);
  });
  it('counts a total length beyond the frame unless the snaplen explains it', () => {
    const f = mk({ totalLen: 200 });
    expect(decode(f).counters[Reason.IPV4_LEN_EXCEEDS_FRAME]).toBe(1);
    const snapped = decode(f, 1, 14 + 200);
    expect(snapped.counters[Reason.IPV4_LEN_EXCEEDS_FRAME]).toBe(0);
    expect(snapped.snappedFrames).toBe(1);
  });
});

describe(IPv6.name, () => {
  const mk = (next: number, pl: Uint8Array): Uint8Array =>
    B.eth(M2, M1, 0x86dd, B.ipv6({ src: 'fd00:200::1', dst: 'fd00:200::2', next }, pl));
  it('counts 39 bytes as ipv6_too_short', () => {
    expect(decode(mk(17, B.udp(1, 2, new Uint8Array(0))).subarray(0, 14 + 39)).reason).toBe(Reason.IPV6_TOO_SHORT);
  });
  it('leaves an unknown next header as payload', () => {
    const p = decode(mk(253, new Uint8Array(8)));
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.IPV6, LayerId.PAYLOAD]);
  });
  it('walks hop-by-hop and destination options to TCP', () => {
    const hbh = B.cat(B.hex('3c 00 0104 00000000'), new Uint8Array(0)); // next=dest opts(60), len 0, PadN
    const dst = B.hex('06 00 0104 00000000'); // next=TCP
    const p = decode(mk(0, B.cat(hbh, dst, B.tcp({ sport: 1, dport: 2, flags: 0x10 }))));
    expect(p.outer.ipv6.extCount).toBe(2);
    expect(p.outer.ipv6.protocol).toBe(6);
    expect(p.outer.tcp.dstPort).toBe(2);
    expect(p.outer.ipv6.s0).toBe(0xfd000200);
    expect(p.outer.ipv6.d3).toBe(2);
  });
  it('reads the fragment header; a later fragment is payload', () => {
    const first = decode(mk(44, B.ip6Frag(17, 0, true, 0xabcdef01, B.udp(7, 8, new Uint8Array(16)))));
    expect([first.outer.ipv6.fragment, first.outer.ipv6.mf, first.outer.ipv6.fragId]).toEqual([1, 1, 0xabcdef01]);
    expect(first.outer.udp.dstPort).toBe(8);
    const later = decode(mk(44, B.ip6Frag(17, 24, false, 0xabcdef01, new Uint8Array(16))));
    expect(later.outer.ipv6.fragOff).toBe(24);
    expect(later.outer.transport).toBe(0);
  });
  it('counts a cut extension header and keeps IPv6', () => {
    const p = decode(mk(0, B.hex('06 01 0000')));
    expect(p.reason).toBe(Reason.IPV6_EXT_TOO_SHORT);
    expect(p.outer.net).toBe(LayerId.IPV6);
  });
});

describe(Tcp.name, () => {
  const mk = (t: Uint8Array): Uint8Array =>
    B.eth(M2, M1, 0x0800, B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 6 }, t));
  it('counts a 19-byte header as tcp_too_short', () => {
    expect(decode(mk(B.tcp({ sport: 1, dport: 2, flags: 2 }).subarray(0, 19))).reason).toBe(Reason.TCP_TOO_SHORT);
  });
  it('counts a data offset of 4 words as tcp_bad_offset', () => {
    const t = B.tcp({ sport: 1, dport: 2, flags: 2 });
    t[12] = 0x40;
    expect(decode(mk(t)).reason).toBe(Reason.TCP_BAD_OFFSET);
  });
  it('decodes flags, seq/ack, window and MSS/SACK/TS/WS options of a SYN', () => {
    const p = decode(TCP_SYN);
    const t = p.outer.tcp;
    expect([t.srcPort, t.dstPort, t.seq, t.flags, t.window]).toEqual([40000, 80, 1000, 0x02, 65535]);
    expect([t.mss, t.sackPermitted, t.hasTs, t.tsVal, t.wscale]).toEqual([1460, 1, 1, 1, 7]);
    expect(ids(p)).toEqual([LayerId.ETHERNET, LayerId.IPV4, LayerId.TCP]);
  });
  it('counts an option running past the header as tcp_opt_malformed and keeps the ports', () => {
    const p = decode(mk(B.tcp({ sport: 1, dport: 2, flags: 0x18, options: B.hex('0206 05b4') }, B.hex('abcd'))));
    expect(p.counters[Reason.TCP_OPT_MALFORMED]).toBe(1);
    expect(p.outer.tcp.dstPort).toBe(2);
    expect(p.outer.tcp.payloadLen).toBe(2);
  });
  it('counts SACK blocks', () => {
    const sack = B.cat(B.hex('0101 050a'), new Uint8Array(8));
    expect(decode(mk(B.tcp({ sport: 1, dport: 2, flags: 0x10, options: sack }))).outer.tcp.sackBlocks).toBe(1);
  });
});

describe(Udp.name, () => {
  const mk = (u: Uint8Array): Uint8Array =>
    B.eth(M2, M1, 0x0800, B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, u));
  it('counts 7 bytes as udp_too_short', () => {
    expect(decode(mk(B.udp(1, 2, new Uint8Array(0)).subarray(0, 7))).reason).toBe(Reason.UDP_TOO_SHORT);
  });
  it('leaves an unknown port as payload', () => {
    expect(ids(decode(mk(B.udp(1234, 5678, new Uint8Array(4)))))).toEqual([
      LayerId.ETHERNET,
      LayerId.IPV4,
      LayerId.UDP,
      LayerId.PAYLOAD,
    ]);
  });
  it('counts a length of 4 as udp_bad_length and keeps the ports', () => {
    const p = decode(mk(B.udp(53, 5353, new Uint8Array(4), 4)));
    expect(p.counters[Reason.UDP_BAD_LENGTH]).toBe(1);
    expect(p.outer.udp.dstPort).toBe(5353);
  });
});

describe(Icmp.name, () => {
  const mk = (c: Uint8Array): Uint8Array =>
    B.eth(M2, M1, 0x0800, B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 1 }, c));
  it('counts 3 bytes as icmp_too_short', () => {
    expect(decode(mk(B.hex('0800 00'))).reason).toBe(Reason.ICMP_TOO_SHORT);
  });
  it('keeps an unknown type with no id/seq', () => {
    const p = decode(mk(B.hex('2a00 0000 0102 0304')));
    expect([p.outer.icmp.type, p.outer.icmp.id]).toEqual([42, 0]);
  });
  it('decodes an echo request id/seq', () => {
    const p = decode(mk(B.icmpEcho(8, 0x1234, 7)));
    expect([p.outer.icmp.type, p.outer.icmp.id, p.outer.icmp.seq]).toEqual([8, 0x1234, 7]);
  });
});

describe(Icmpv6.name, () => {
  const mk = (c: Uint8Array): Uint8Array =>
    B.eth(
      '33:33:ff:00:00:02',
      M1,
      0x86dd,
      B.ipv6({ src: 'fd00:200::1', dst: 'ff02::1:ff00:2', next: 58, hop: 255 }, c),
    );
  it('counts 3 bytes as icmpv6_too_short', () => {
    expect(decode(mk(B.hex('8700 00'))).reason).toBe(Reason.ICMPV6_TOO_SHORT);
  });
  it('keeps an unknown type', () => {
    const p = decode(mk(B.hex('c800 0000 00000000')));
    expect(p.outer.icmpv6.type).toBe(200);
    expect(p.reason).toBe(0);
  });
  it('decodes a neighbour solicitation target and source link-layer option', () => {
    const ns = B.cat(B.hex('8700 0000 00000000'), B.ip6('fd00:200::2'), B.hex('0101'), B.mac(M1));
    const p = decode(mk(ns));
    const c = p.outer.icmpv6;
    expect([c.type, c.t0, c.t3, c.llType, c.llHi, c.llLo]).toEqual([135, 0xfd000200, 2, 1, 0x0200, 1]);
    expect(p.rxClass).toBe(RxClass.MULTICAST);
  });
});

const innerTcp = B.eth(
  M2,
  M1,
  0x0800,
  B.ipv4(
    { src: '10.200.9.1', dst: '10.200.9.2', proto: 6 },
    B.tcp({ sport: 33000, dport: 22, flags: 0x18 }, B.hex('00')),
  ),
);
const outerUdp = (dport: number, pl: Uint8Array): Uint8Array =>
  B.eth(
    '02:00:00:00:00:0b',
    '02:00:00:00:00:0a',
    0x0800,
    B.ipv4({ src: '10.200.0.10', dst: '10.200.0.11', proto: 17 }, B.udp(50000, dport, pl)),
  );

describe(VxLan.name, () => {
  it('counts 7 VXLAN bytes as vxlan_too_short', () => {
    expect(decode(outerUdp(4789, B.hex('08000000 000100'))).reason).toBe(Reason.VXLAN_TOO_SHORT);
  });
  it('counts an inner frame too short for Ethernet and keeps the tunnel', () => {
    const p = decode(outerUdp(4789, B.vxlan(42, B.hex('0011'))));
    expect(p.reason).toBe(Reason.ETH_TOO_SHORT);
    expect([p.tunnelType, p.tunnelId]).toEqual([TunnelType.VXLAN, 42]);
  });
  it('decodes the inner frame into the inner set, outer kept', () => {
    const p = decode(outerUdp(4789, B.vxlan(42, innerTcp)));
    expect(ids(p)).toEqual([1, 5, 8, LayerId.VXLAN, 1 | INNER, 5 | INNER, 7 | INNER, LayerId.PAYLOAD | INNER]);
    expect(p.flowSet).toBe(p.inner);
    expect(p.inner.ipv4.src).toBe(0x0ac80901);
    expect(p.outer.ipv4.src).toBe(0x0ac8000a);
    expect(p.inner.tcp.dstPort).toBe(22);
  });
});

describe(Geneve.name, () => {
  it('counts options running past the frame as geneve_too_short', () => {
    expect(decode(outerUdp(6081, B.hex('02006558 00002a00 0000'))).reason).toBe(Reason.GENEVE_TOO_SHORT);
  });
  it('leaves an unknown protocol type as payload', () => {
    const p = decode(outerUdp(6081, B.geneve(7, 0x1234, new Uint8Array(8))));
    expect(p.tunnelId).toBe(7);
    expect(p.decoded[p.count - 1]).toBe(LayerId.PAYLOAD | INNER);
  });
  it('skips options and decodes an inner Ethernet frame', () => {
    const p = decode(outerUdp(6081, B.geneve(0x123456, 0x6558, innerTcp, B.hex('0101 8001 00000000'))));
    expect([p.tunnelType, p.tunnelId, p.geneve.optLen]).toEqual([TunnelType.GENEVE, 0x123456, 8]);
    expect(p.inner.tcp.srcPort).toBe(33000);
  });
});

describe(Gre.name, () => {
  const outerGre = (pl: Uint8Array): Uint8Array =>
    B.eth(M2, M1, 0x0800, B.ipv4({ src: '10.200.0.10', dst: '10.200.0.11', proto: 47 }, pl));
  it('counts a key flag without the key bytes as gre_too_short', () => {
    expect(decode(outerGre(B.hex('2000 6558 0000'))).reason).toBe(Reason.GRE_TOO_SHORT);
  });
  it('leaves an unknown protocol as payload and counts version 2 as gre_bad_version', () => {
    const p = decode(outerGre(B.gre(0x88be, new Uint8Array(8))));
    expect(p.tunnelType).toBe(TunnelType.GRE);
    expect(p.decoded[p.count - 1]).toBe(LayerId.PAYLOAD | INNER);
    expect(decode(outerGre(B.hex('0002 0800'))).reason).toBe(Reason.GRE_BAD_VERSION);
  });
  it('decodes keyed transparent Ethernet bridging (gretap) and plain IP in GRE', () => {
    const teb = decode(outerGre(B.gre(0x6558, innerTcp, 1001)));
    expect([teb.tunnelId, teb.gre.hasKey, teb.inner.has(LayerId.ETHERNET), teb.inner.tcp.dstPort]).toEqual([
      1001,
      1,
      true,
      22,
    ]);
    const ip = decode(outerGre(B.gre(0x0800, innerTcp.subarray(14))));
    expect([ip.tunnelId, ip.inner.has(LayerId.ETHERNET), ip.inner.ipv4.dst]).toEqual([0, false, 0x0ac80902]);
  });
});

describe(Sll.name, () => {
  const body = TCP_SYN.subarray(14);
  const sll = (pktType: number): Uint8Array =>
    B.cat(B.hex(`000${pktType} 0001 0006`), B.mac(M1), B.hex('0000 0800'), body);
  it('counts 15 bytes as sll_too_short', () => {
    expect(decode(sll(0).subarray(0, 15), 113).reason).toBe(Reason.SLL_TOO_SHORT);
  });
  it('leaves an unknown protocol as payload', () => {
    const f = sll(0);
    f[14] = 0x88;
    f[15] = 0xb5;
    expect(ids(decode(f, 113))).toEqual([LayerId.SLL, LayerId.PAYLOAD]);
  });
  it('classifies by packet type: outgoing, other host', () => {
    const out = decode(sll(4), 113);
    expect([out.rxClass, out.direction, out.outer.tcp.dstPort]).toEqual([RxClass.OUTGOING, Direction.OUT, 80]);
    expect(decode(sll(3), 113).rxClass).toBe(RxClass.PROMISC);
  });
});

describe(Sll2.name, () => {
  const sll2 = B.cat(B.hex('0800 0000 00000007 0001 00 06'), B.mac(M1), B.hex('0000'), TCP_SYN.subarray(14));
  it('counts 19 bytes as sll2_too_short', () => {
    expect(decode(sll2.subarray(0, 19), 276).reason).toBe(Reason.SLL2_TOO_SHORT);
  });
  it('leaves an unknown protocol as payload', () => {
    const f = sll2.slice();
    f[0] = 0x88;
    f[1] = 0xb5;
    expect(ids(decode(f, 276))).toEqual([LayerId.SLL2, LayerId.PAYLOAD]);
  });
  it('decodes the interface index and the IP frame, host class', () => {
    const p = decode(sll2, 276);
    expect([p.sll2.ifindex, p.rxClass, p.direction, p.outer.tcp.srcPort]).toEqual([
      7,
      RxClass.HOST,
      Direction.IN,
      40000,
    ]);
  });
});

describe(NullLoop.name, () => {
  const ip = TCP_SYN.subarray(14);
  it('counts 3 bytes as null_too_short', () => {
    expect(decode(B.hex('020000'), 0).reason).toBe(Reason.NULL_TOO_SHORT);
  });
  it('leaves an unknown family as payload', () => {
    expect(ids(decode(B.cat(B.hex('07000000'), ip), 0))).toEqual([LayerId.NULL, LayerId.PAYLOAD]);
  });
  it('reads a little-endian NULL family and a network-order LOOP family', () => {
    expect(decode(B.cat(B.hex('02000000'), ip), 0).outer.tcp.dstPort).toBe(80);
    expect(decode(B.cat(B.hex('00000002'), ip), 108).outer.tcp.dstPort).toBe(80);
    expect(
      decode(
        B.cat(B.hex('0000001e'), B.ipv6({ src: 'fd00:200::1', dst: 'fd00:200::2', next: 59 }, new Uint8Array(0))),
        108,
      ).outer.net,
    ).toBe(LayerId.IPV6);
  });
});

describe(FrameParser.name, () => {
  it('decodes raw IP (DLT 101, 12, 14) by the version nibble and counts a bad one', () => {
    for (const lt of [101, 12, 14]) expect(decode(TCP_SYN.subarray(14), lt).outer.tcp.dstPort).toBe(80);
    expect(decode(B.hex('5000'), 101).reason).toBe(Reason.RAW_BAD_VERSION);
    expect(decode(TCP_SYN, 999).reason).toBe(Reason.LINKTYPE_UNKNOWN);
  });

  it('reuses the same layer objects: nothing of frame A survives frame B', () => {
    const p = new FrameParser();
    const v4 = p.outer.ipv4;
    const tcpRef = p.outer.tcp;
    decode(TCP_SYN, 1, TCP_SYN.length, p);
    expect(p.outer.tcp.mss).toBe(1460);
    const b = B.eth(
      M1,
      M2,
      0x0800,
      B.ipv4(
        { src: '10.200.0.9', dst: '10.200.0.8', proto: 6, id: 9 },
        B.tcp({ sport: 1, dport: 2, flags: 0x10, seq: 5 }),
      ),
    );
    decode(b, 1, b.length, p);
    expect(p.outer.ipv4).toBe(v4);
    expect(p.outer.tcp).toBe(tcpRef);
    expect([
      v4.src,
      v4.id,
      tcpRef.mss,
      tcpRef.wscale,
      tcpRef.hasTs,
      tcpRef.tsVal,
      tcpRef.sackPermitted,
      tcpRef.flags,
    ]).toEqual([0x0ac80009, 9, -1, -1, 0, 0, 0, 0x10]);
    // and a shorter, non-TCP frame after that leaves no transport behind
    const arpF = B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, B.arp(1, M1, '10.200.0.1', '00:00:00:00:00:00', '10.200.0.2'));
    decode(arpF, 1, arpF.length, p);
    expect([p.outer.net, p.outer.transport, p.outer.has(LayerId.IPV4), p.tunnelType]).toEqual([
      LayerId.ARP,
      0,
      false,
      0,
    ]);
  });

  it('classifies receive mode from the NIC MAC: host, promisc, outgoing, broadcast', () => {
    const p = new FrameParser();
    p.setNic({ hi: 0x0200, lo: 2 }, true);
    expect(decode(TCP_SYN, 1, TCP_SYN.length, p).rxClass).toBe(RxClass.HOST);
    const other = B.eth('02:00:00:00:00:99', M1, 0x0800, TCP_SYN.subarray(14));
    expect(decode(other, 1, other.length, p).rxClass).toBe(RxClass.PROMISC);
    const out = B.eth(M1, M2, 0x0800, TCP_SYN.subarray(14));
    expect([decode(out, 1, out.length, p).rxClass, p.direction]).toEqual([RxClass.OUTGOING, Direction.OUT]);
    const unknownNic = decode(TCP_SYN);
    expect([unknownNic.rxClass, unknownNic.direction]).toEqual([RxClass.UNKNOWN, Direction.UNKNOWN]);
  });

  it('decodes a frame at an offset inside a larger batch buffer (view with byteOffset)', () => {
    const big = new Uint8Array(4096);
    big.set(TCP_SYN, 1000);
    const sub = big.subarray(100);
    const view = new DataView(sub.buffer, sub.byteOffset, sub.byteLength);
    const p = new FrameParser();
    p.decode(1, sub, view, 900, TCP_SYN.length, TCP_SYN.length);
    expect(p.outer.tcp.dstPort).toBe(80);
  });
});
