/**
 * The only place libs/packet builds strings: a tcpdump -nn-like one-line summary and a JSON summary
 * object of the frame the parser holds, for the CLI (`capture`, `replay`) and the live WebSocket stream.
 * Called per frame only when somebody watches (a terminal, a subscription), never on the flow path.
 */
import { type FrameParser, type LayerSet } from './parser.js';
import { DIRECTION_NAMES, LayerId, REASON_NAMES, RX_CLASS_NAMES, TUNNEL_NAMES } from './ids.js';

const HEX = '0123456789abcdef';
function hex2(b: number): string {
  return HEX[(b >>> 4) & 0xf]! + HEX[b & 0xf]!;
}

export function macToString(hi: number, lo: number): string {
  return `${hex2(hi >>> 8)}:${hex2(hi)}:${hex2(lo >>> 24)}:${hex2(lo >>> 16)}:${hex2(lo >>> 8)}:${hex2(lo)}`;
}

export function ipv4ToString(a: number): string {
  return `${(a >>> 24) & 0xff}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** RFC 5952 text (longest run of zero groups as "::", lower case), IPv4-mapped as ::ffff:a.b.c.d. */
export function ipv6ToString(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${ipv4ToString(w3)}`;
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (a: number, b: number): string =>
    g
      .slice(a, b)
      .map((x) => x.toString(16))
      .join(':');
  if (bestAt < 0) return part(0, 8);
  return `${part(0, bestAt)}::${part(bestAt + bestLen, 8)}`;
}

/** "HH:MM:SS.nnnnnnnnn" in UTC. */
export function timeOfDay(sec: number, nsec: number): string {
  const s = sec % 86400;
  const p2 = (n: number): string => (n < 10 ? '0' : '') + String(n);
  return `${p2(Math.floor(s / 3600))}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}.${String(nsec).padStart(9, '0')}`;
}

/** "SECONDS.NNNNNNNNN" since the Unix epoch, UTC (the timestamp format of frame and flow records). */
export function epochNs(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

export function tcpFlagsString(f: number): string {
  let s = '';
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  if (f & 0x10) s += '.';
  return s === '' ? 'none' : s;
}

function ipSrc(set: LayerSet): string {
  if (set.net === LayerId.IPV4) return ipv4ToString(set.ipv4.src);
  const v = set.ipv6;
  return ipv6ToString(v.s0, v.s1, v.s2, v.s3);
}
function ipDst(set: LayerSet): string {
  if (set.net === LayerId.IPV4) return ipv4ToString(set.ipv4.dst);
  const v = set.ipv6;
  return ipv6ToString(v.d0, v.d1, v.d2, v.d3);
}

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
};
const ICMP6_TYPES: Record<number, string> = {
  1: 'unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};

/** L2 (+ VLAN) part of one set. */
function l2Text(set: LayerSet): string {
  let s = '';
  if (set.has(LayerId.ETHERNET))
    s = `${macToString(set.ethernet.srcHi, set.ethernet.srcLo)} > ${macToString(set.ethernet.dstHi, set.ethernet.dstLo)}`;
  for (let i = 0; i < set.vlanCount; i++) s += `${s ? ' ' : ''}vlan ${set.vlans[i as 0 | 1 | 2].vid}`;
  if (set.has(LayerId.LLC)) s += `${s ? ' ' : ''}llc ${hex2(set.llc.dsap)}/${hex2(set.llc.ssap)}`;
  return s;
}

/** L3/L4 part of one set. */
function l3Text(set: LayerSet): string {
  if (set.net === LayerId.ARP) {
    const a = set.arp;
    if (a.op === 1) return `ARP, Request who-has ${ipv4ToString(a.tpa)} tell ${ipv4ToString(a.spa)}`;
    if (a.op === 2) return `ARP, Reply ${ipv4ToString(a.spa)} is-at ${macToString(a.shaHi, a.shaLo)}`;
    return `ARP, op ${a.op}`;
  }
  if (set.net !== LayerId.IPV4 && set.net !== LayerId.IPV6) {
    return set.etherType ? `ethertype 0x${set.etherType.toString(16).padStart(4, '0')}` : '';
  }
  const v = set.net === LayerId.IPV4 ? 'IP' : 'IP6';
  const src = ipSrc(set);
  const dst = ipDst(set);
  const frag = set.net === LayerId.IPV4 ? set.ipv4.fragment === 1 : set.ipv6.fragment === 1;
  const fragOff = set.net === LayerId.IPV4 ? set.ipv4.fragOff : set.ipv6.fragOff;
  const fragText = frag
    ? ` (frag off ${fragOff}${(set.net === LayerId.IPV4 ? set.ipv4.mf : set.ipv6.mf) ? '+' : ''})`
    : '';
  switch (set.transport) {
    case LayerId.TCP: {
      const t = set.tcp;
      let o = '';
      if (t.mss >= 0) o += `mss ${t.mss}`;
      if (t.sackPermitted) o += `${o ? ',' : ''}sackOK`;
      if (t.hasTs) o += `${o ? ',' : ''}TS val ${t.tsVal} ecr ${t.tsEcr}`;
      if (t.wscale >= 0) o += `${o ? ',' : ''}wscale ${t.wscale}`;
      if (t.sackBlocks) o += `${o ? ',' : ''}sack ${t.sackBlocks}`;
      const ack = t.flags & 0x10 ? `, ack ${t.ack}` : '';
      return `${v} ${src}.${t.srcPort} > ${dst}.${t.dstPort}: Flags [${tcpFlagsString(t.flags)}], seq ${t.seq}${ack}, win ${t.window}${o ? `, options [${o}]` : ''}, length ${t.payloadLen}${fragText}`;
    }
    case LayerId.UDP: {
      const u = set.udp;
      return `${v} ${src}.${u.srcPort} > ${dst}.${u.dstPort}: UDP, length ${u.length > 8 ? u.length - 8 : 0}${fragText}`;
    }
    case LayerId.ICMP: {
      const c = set.icmp;
      const name = ICMP_TYPES[c.type] ?? `type ${c.type}`;
      const echo = c.type === 0 || c.type === 8 ? `, id ${c.id}, seq ${c.seq}` : '';
      return `${v} ${src} > ${dst}: ICMP ${name}${echo}${c.code ? `, code ${c.code}` : ''}${fragText}`;
    }
    case LayerId.ICMPV6: {
      const c = set.icmpv6;
      const name = ICMP6_TYPES[c.type] ?? `type ${c.type}`;
      let x = '';
      if (c.type === 128 || c.type === 129) x = `, id ${c.id}, seq ${c.seq}`;
      if (c.type >= 135 && c.type <= 137)
        x = `, who has ${ipv6ToString(c.t0, c.t1, c.t2, c.t3)}`.replace(
          'who has',
          c.type === 135 ? 'who has' : 'tgt is',
        );
      if (c.llType) x += `, ${c.llType === 1 ? 'source' : 'target'} link-address ${macToString(c.llHi, c.llLo)}`;
      return `${v} ${src} > ${dst}: ICMP6, ${name}${x}`;
    }
    default: {
      const proto = set.net === LayerId.IPV4 ? set.ipv4.protocol : set.ipv6.protocol;
      return `${v} ${src} > ${dst}: ip-proto-${proto}${fragText}`;
    }
  }
}

function tunnelText(p: FrameParser): string {
  if (p.tunnelType === 0) return '';
  if (p.tunnelType === 3)
    return p.gre.hasKey ? `GRE key ${p.gre.key}` : `GRE proto 0x${p.gre.protocol.toString(16).padStart(4, '0')}`;
  return `${TUNNEL_NAMES[p.tunnelType]!.toUpperCase()} vni ${p.tunnelId}`;
}

/**
 * One line in the spirit of `tcpdump -nn -e`: time (UTC), interface, receive class, L2, L3/L4,
 * tunnel and inner frame, wire length, and the malformed reason if the frame stopped early.
 */
export function formatFrameLine(p: FrameParser, tsSec: number, tsNsec: number, iface: string): string {
  let s = `${timeOfDay(tsSec, tsNsec)} ${iface} ${RX_CLASS_NAMES[p.rxClass]!}`;
  if (p.direction !== 0) s += `/${DIRECTION_NAMES[p.direction]!}`;
  const l2 = l2Text(p.outer);
  if (l2) s += ` ${l2}`;
  const l3 = l3Text(p.outer);
  if (l3) s += `, ${l3}`;
  if (p.tunnelType !== 0) {
    s += ` | ${tunnelText(p)}`;
    const il2 = l2Text(p.inner);
    const il3 = l3Text(p.inner);
    if (il2) s += ` ${il2}`;
    if (il3) s += `, ${il3}`;
  }
  s += `, length ${p.wirelen}`;
  if (p.caplen < p.wirelen) s += ` (captured ${p.caplen})`;
  if (p.reason !== 0) s += ` [malformed: ${REASON_NAMES[p.reason]!}]`;
  return s;
}

/** The JSON summary of one frame (live stream, `capture --json`). */
export interface FrameSummary {
  ts: string;
  iface: string;
  rx_class: string;
  direction: string;
  len: number;
  caplen: number;
  layers: string[];
  src_mac?: string;
  dst_mac?: string;
  vlan?: number[];
  ethertype?: number;
  tunnel_type?: string;
  tunnel_id?: number;
  ip_version?: number;
  src_ip?: string;
  dst_ip?: string;
  proto?: number;
  src_port?: number;
  dst_port?: number;
  tcp_flags?: number;
  icmp_type?: number;
  icmp_code?: number;
  malformed?: string;
  summary: string;
}

const LAYER_TEXT = [
  'none',
  'eth',
  'vlan',
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

export function frameSummary(p: FrameParser, tsSec: number, tsNsec: number, iface: string): FrameSummary {
  const layers: string[] = [];
  for (let i = 0; i < p.count; i++) {
    const id = p.decoded[i]!;
    layers.push((id & 0x20 ? 'inner-' : '') + (LAYER_TEXT[id & 0x1f] ?? '?'));
  }
  const o: FrameSummary = {
    ts: epochNs(tsSec, tsNsec),
    iface,
    rx_class: RX_CLASS_NAMES[p.rxClass]!,
    direction: DIRECTION_NAMES[p.direction]!,
    len: p.wirelen,
    caplen: p.caplen,
    layers,
    summary: formatFrameLine(p, tsSec, tsNsec, iface),
  };
  const out = p.outer;
  if (out.has(LayerId.ETHERNET)) {
    o.src_mac = macToString(out.ethernet.srcHi, out.ethernet.srcLo);
    o.dst_mac = macToString(out.ethernet.dstHi, out.ethernet.dstLo);
  }
  if (out.vlanCount) o.vlan = out.vlans.slice(0, out.vlanCount).map((v) => v.vid);
  if (out.etherType) o.ethertype = out.etherType;
  if (p.tunnelType) {
    o.tunnel_type = TUNNEL_NAMES[p.tunnelType];
    o.tunnel_id = p.tunnelId;
  }
  const f = p.flowSet;
  if (f.net === LayerId.IPV4 || f.net === LayerId.IPV6) {
    o.ip_version = f.net === LayerId.IPV4 ? 4 : 6;
    o.src_ip = ipSrc(f);
    o.dst_ip = ipDst(f);
    o.proto = f.net === LayerId.IPV4 ? f.ipv4.protocol : f.ipv6.protocol;
    if (f.transport === LayerId.TCP) {
      o.src_port = f.tcp.srcPort;
      o.dst_port = f.tcp.dstPort;
      o.tcp_flags = f.tcp.flags;
    } else if (f.transport === LayerId.UDP) {
      o.src_port = f.udp.srcPort;
      o.dst_port = f.udp.dstPort;
    } else if (f.transport === LayerId.ICMP) {
      o.icmp_type = f.icmp.type;
      o.icmp_code = f.icmp.code;
    } else if (f.transport === LayerId.ICMPV6) {
      o.icmp_type = f.icmpv6.type;
      o.icmp_code = f.icmpv6.code;
    }
  }
  if (p.reason) o.malformed = REASON_NAMES[p.reason];
  return o;
}
