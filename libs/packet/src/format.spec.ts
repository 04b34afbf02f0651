import { describe, expect, it } from 'vitest';
import { FrameParser } from './parser.js';
import { epochNs, formatFrameLine, frameSummary, ipv6ToString, macToString, timeOfDay } from './format.js';
import * as B from '../test/build.js';

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';

function parse(f: Uint8Array, lt = 1): FrameParser {
  const p = new FrameParser();
  p.setNic({ hi: 0x0200, lo: 2 });
  p.decode(lt, f, B.viewOf(f), 0, f.length, f.length);
  return p;
}

describe(formatFrameLine.name, () => {
  it('prints a TCP SYN like tcpdump -nn -e', () => {
    const f = B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4(
        { src: '10.200.0.1', dst: '10.200.0.2', proto: 6 },
        B.tcp({ sport: 40000, dport: 80, flags: 2, seq: 7, options: B.synOptions(1460, 7, 5, 0) }),
      ),
    );
    expect(formatFrameLine(parse(f), 3600 + 61, 5, 'veth0')).toBe(
      '01:01:01.000000005 veth0 host/in 02:00:00:00:00:01 > 02:00:00:00:00:02, IP 10.200.0.1.40000 > 10.200.0.2.80: Flags [S], seq 7, win 65535, options [mss 1460,sackOK,TS val 5 ecr 0,wscale 7], length 0, length 74',
    );
  });
  it('prints the tunnel and its inner frame, VLAN and malformed reason', () => {
    const inner = B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4({ src: '10.200.9.1', dst: '10.200.9.2', proto: 1 }, B.icmpEcho(8, 3, 4)),
    );
    const f = B.eth(
      M2,
      M1,
      0x8100,
      B.vlanTag(
        10,
        0x0800,
        B.ipv4({ src: '10.200.0.10', dst: '10.200.0.11', proto: 17 }, B.udp(1, 4789, B.vxlan(42, inner))),
      ),
    );
    const line = formatFrameLine(parse(f), 0, 0, 'br0');
    expect(line).toContain('vlan 10, IP 10.200.0.10.1 > 10.200.0.11.4789: UDP');
    expect(line).toContain(
      '| VXLAN vni 42 02:00:00:00:00:01 > 02:00:00:00:00:02, IP 10.200.9.1 > 10.200.9.2: ICMP echo request, id 3, seq 4',
    );
    expect(formatFrameLine(parse(f.subarray(0, 20)), 0, 0, 'br0')).toContain('[malformed: ipv4_too_short]');
  });
  it('prints ARP and IPv6 neighbour solicitation', () => {
    const a = B.eth('ff:ff:ff:ff:ff:ff', M1, 0x0806, B.arp(1, M1, '10.200.0.1', '00:00:00:00:00:00', '10.200.0.2'));
    expect(formatFrameLine(parse(a), 0, 0, 'e')).toContain(
      'broadcast/in 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP, Request who-has 10.200.0.2 tell 10.200.0.1',
    );
    const ns = B.eth(
      '33:33:ff:00:00:02',
      M1,
      0x86dd,
      B.ipv6(
        { src: 'fd00:200::1', dst: 'ff02::1:ff00:2', next: 58 },
        B.cat(B.hex('8700 0000 00000000'), B.ip6('fd00:200::2')),
      ),
    );
    expect(formatFrameLine(parse(ns), 0, 0, 'e')).toContain('multicast/in');
    expect(formatFrameLine(parse(ns), 0, 0, 'e')).toContain(
      'IP6 fd00:200::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fd00:200::2',
    );
  });
});

describe(frameSummary.name, () => {
  it('gives the JSON summary of a UDP frame', () => {
    const f = B.eth(
      M2,
      M1,
      0x0800,
      B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, B.udp(53, 4000, new Uint8Array(4))),
    );
    const s = frameSummary(parse(f), 10, 20, 'v');
    expect(s).toMatchObject({
      ts: '10.000000020',
      iface: 'v',
      rx_class: 'host',
      direction: 'in',
      len: 46,
      src_ip: '10.200.0.1',
      dst_ip: '10.200.0.2',
      proto: 17,
      src_port: 53,
      dst_port: 4000,
      layers: ['eth', 'ipv4', 'udp', 'payload'],
    });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('address text', () => {
  it('compresses IPv6 like RFC 5952 and prints MACs, times', () => {
    expect(ipv6ToString(0xfd000200, 0, 0, 1)).toBe('fd00:200::1');
    expect(ipv6ToString(0, 0, 0, 0)).toBe('::');
    expect(ipv6ToString(0x20010db8, 0x00000001, 0x00010001, 0x00010001)).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6ToString(0, 0, 0xffff, 0x0ac80001)).toBe('::ffff:10.200.0.1');
    expect(macToString(0xffff, 0xffffffff)).toBe('ff:ff:ff:ff:ff:ff');
    expect(timeOfDay(86399, 999999999)).toBe('23:59:59.999999999');
    expect(epochNs(1764129540, 5)).toBe('1764129540.000000005');
  });
});
