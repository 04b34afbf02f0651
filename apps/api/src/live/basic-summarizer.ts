/**
 * Fallback frame summarizer used when the embedding collector does not pass libs/packet's
 * formatter: Ethernet (+ up to 2 VLAN tags), Linux cooked v1/v2, raw IP, loopback; ARP, IPv4, IPv6
 * (no extension headers), TCP, UDP, ICMP. Runs only for frames a subscription matched; it never
 * throws on short or odd bytes, it says what it could read.
 */
import { type FrameSummarizer, type FrameSummaryFields } from '@nicscope/contracts';

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 58: 'ICMP6', 132: 'SCTP' };

function ipv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function ipv6(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[o + i]! << 8) | b[o + i + 1]!).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

export class BasicSummarizer implements FrameSummarizer {
  summarize(buf: Uint8Array, off: number, caplen: number, wirelen: number, linkType: number): FrameSummaryFields {
    const end = off + caplen;
    let p = off;
    let etype: number;
    let vlan: number | undefined;
    const u16 = (o: number): number => (buf[o]! << 8) | buf[o + 1]!;
    if (linkType === 1) {
      if (end - p < 14) return { summary: `truncated Ethernet, length ${wirelen}` };
      etype = u16(p + 12);
      p += 14;
      for (let tags = 0; (etype === 0x8100 || etype === 0x88a8) && tags < 2 && end - p >= 4; tags++) {
        vlan ??= u16(p) & 0x0fff;
        etype = u16(p + 2);
        p += 4;
      }
    } else if (linkType === 113) {
      if (end - p < 16) return { summary: `truncated SLL, length ${wirelen}` };
      etype = u16(p + 14);
      p += 16;
    } else if (linkType === 276) {
      if (end - p < 20) return { summary: `truncated SLL2, length ${wirelen}` };
      etype = u16(p);
      p += 20;
    } else if (linkType === 101 || linkType === 12 || linkType === 14) {
      etype = end > p ? (buf[p]! >> 4 === 6 ? 0x86dd : 0x0800) : -1;
    } else if (linkType === 0 || linkType === 108) {
      if (end - p < 4) return { summary: `truncated loopback, length ${wirelen}` };
      etype = buf[p + 4]! >> 4 === 6 ? 0x86dd : 0x0800;
      p += 4;
    } else {
      return { summary: `link type ${linkType}, length ${wirelen}` };
    }
    if (etype === 0x0806) {
      if (end - p < 28) return { summary: `ARP, truncated, length ${wirelen}`, proto: 'ARP', vlan };
      const op = u16(p + 6);
      const spa = ipv4(buf, p + 14);
      const tpa = ipv4(buf, p + 24);
      const summary =
        op === 1 ? `ARP, Request who-has ${tpa} tell ${spa}` : `ARP, Reply ${spa} is-at, length ${wirelen}`;
      return { summary, proto: 'ARP', src: spa, dst: tpa, vlan };
    }
    let proto: number;
    let src: string;
    let dst: string;
    if (etype === 0x0800) {
      if (end - p < 20) return { summary: `IP, truncated, length ${wirelen}`, proto: 'IPv4', vlan };
      const ihl = (buf[p]! & 0x0f) * 4;
      proto = buf[p + 9]!;
      src = ipv4(buf, p + 12);
      dst = ipv4(buf, p + 16);
      const fragOff = u16(p + 6) & 0x1fff;
      p += ihl;
      if (fragOff !== 0)
        return {
          summary: `${src} > ${dst}: ${PROTO_NAMES[proto] ?? `proto ${proto}`} fragment`,
          proto: PROTO_NAMES[proto],
          src,
          dst,
          vlan,
        };
    } else if (etype === 0x86dd) {
      if (end - p < 40) return { summary: `IP6, truncated, length ${wirelen}`, proto: 'IPv6', vlan };
      proto = buf[p + 6]!;
      src = ipv6(buf, p + 8);
      dst = ipv6(buf, p + 24);
      p += 40;
    } else {
      return { summary: `ethertype 0x${etype.toString(16).padStart(4, '0')}, length ${wirelen}`, vlan };
    }
    const name = PROTO_NAMES[proto] ?? `proto ${proto}`;
    if ((proto === 6 || proto === 17) && end - p >= 4) {
      const sport = u16(p);
      const dport = u16(p + 2);
      let detail: string;
      if (proto === 17) detail = `UDP, length ${end - p >= 6 ? u16(p + 4) - 8 : wirelen}`;
      else {
        const flags = end - p >= 14 ? buf[p + 13]! : 0;
        const f = `${flags & 2 ? 'S' : ''}${flags & 1 ? 'F' : ''}${flags & 4 ? 'R' : ''}${flags & 8 ? 'P' : ''}${flags & 16 ? '.' : ''}`;
        detail = `Flags [${f}], length ${wirelen}`;
      }
      return { summary: `${src}.${sport} > ${dst}.${dport}: ${detail}`, proto: name, src, dst, sport, dport, vlan };
    }
    return { summary: `${src} > ${dst}: ${name}, length ${wirelen}`, proto: name, src, dst, vlan };
  }
}
