/**
 * Writes a deterministic mixed pcap for the replay benchmark: TCP connections with handshake, data
 * and FIN (IPv4 and IPv6), UDP exchanges (plain and 802.1Q-tagged), ICMP echo, TCP inside VXLAN and
 * ARP, with many sessions interleaved (≈ `concurrent` flows open at a time). Frames are stored with
 * a 128-byte snaplen and their full wire length, as a flow monitor captures them.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as B from '../../libs/packet/test/build.js';

const SNAP = 128;

class PcapOut {
  private readonly buf = Buffer.alloc(16 << 20);
  private off = 0;
  private readonly fd: number;
  packets = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b23c4d, 0); // nanosecond pcap
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAP, 16);
    h.writeUInt32LE(1, 20);
    writeSync(this.fd, h);
  }
  write(frame: Uint8Array, tsNs: bigint): void {
    const cap = Math.min(frame.length, SNAP);
    if (this.off + 16 + cap > this.buf.length) this.flush();
    const b = this.buf;
    b.writeUInt32LE(Number(tsNs / 1_000_000_000n), this.off);
    b.writeUInt32LE(Number(tsNs % 1_000_000_000n), this.off + 4);
    b.writeUInt32LE(cap, this.off + 8);
    b.writeUInt32LE(frame.length, this.off + 12);
    b.set(frame.subarray(0, cap), this.off + 16);
    this.off += 16 + cap;
    this.packets++;
  }
  flush(): void {
    for (let o = 0; o < this.off;) o += writeSync(this.fd, this.buf, o, this.off - o);
    this.off = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** xorshift32: the same file from the same seed. */
class Rng {
  constructor(private s = 0x9e3779b9) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

type Session = { frames: Uint8Array[]; at: number };

/**
 * Who talks to whom. Default: addresses derived from the session number, so nearly every flow has
 * its own pair of addresses (the flow rollups' worst case). `Hosts`: a host's traffic — clients
 * 1..clients, servers in their own range 1..servers, flows of one pair differing by port.
 */
export interface Hosts {
  clients: number;
  servers: number;
}
/** The two addresses (as numbers for ip4/ip6/M) of session `id`; `dflt` is the layout without hosts. */
const pair = (id: number, hosts: Hosts | undefined, dflt: [number, number]): [number, number] =>
  hosts ? [1 + (id % hosts.clients), 60001 + ((id * 7919) % hosts.servers)] : dflt;

const M = (n: number): string =>
  `02:00:${((n >>> 24) & 0xff).toString(16).padStart(2, '0')}:${((n >>> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >>> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
const ip4 = (n: number): string => `10.200.${(n >>> 8) & 0xff}.${n & 0xff}`;
const ip6 = (n: number): string => `fd00:200::${(n & 0xffff).toString(16)}`;

function tcpSession(r: Rng, id: number, v6: boolean, vxlan: boolean, hosts?: Hosts): Uint8Array[] {
  const [c, s] = pair(id, hosts, [1 + (id % 60000), 1 + ((id * 7919) % 60000)]);
  const cp = 1024 + (id % 60000);
  const sp = [80, 443, 22, 5432][id % 4]!;
  const data = 2 + r.int(30);
  const out: Uint8Array[] = [];
  const mk = (fromC: boolean, flags: number, seq: number, ack: number, len: number): Uint8Array => {
    const t = B.tcp({ sport: fromC ? cp : sp, dport: fromC ? sp : cp, flags, seq, ack, win: 502 }, new Uint8Array(len));
    const [a, b] = fromC ? [c, s] : [s, c];
    const l3 = v6
      ? B.ipv6({ src: ip6(a), dst: ip6(b), next: 6 }, t)
      : B.ipv4({ src: ip4(a), dst: ip4(b), proto: 6 }, t);
    const f = B.eth(M(b), M(a), v6 ? 0x86dd : 0x0800, l3);
    if (!vxlan) return f;
    return B.eth(
      '02:00:00:00:ff:02',
      '02:00:00:00:ff:01',
      0x0800,
      B.ipv4(
        { src: '10.200.255.1', dst: '10.200.255.2', proto: 17 },
        B.udp(40000 + (id % 20000), 4789, B.vxlan(100 + (id % 16), f)),
      ),
    );
  };
  let cs = 1000;
  let ss = 5000;
  out.push(mk(true, 0x02, cs++, 0, 0), mk(false, 0x12, ss++, cs, 0), mk(true, 0x10, cs, ss, 0));
  for (let i = 0; i < data; i++) {
    const fromC = r.next() < 0.4;
    const len = fromC ? 100 + r.int(400) : 1448;
    out.push(mk(fromC, 0x18, fromC ? cs : ss, fromC ? ss : cs, len));
    if (fromC) cs += len;
    else ss += len;
  }
  out.push(mk(true, 0x11, cs++, ss, 0), mk(false, 0x11, ss++, cs, 0), mk(true, 0x10, cs, ss, 0));
  return out;
}

function udpSession(r: Rng, id: number, vlan: boolean, hosts?: Hosts): Uint8Array[] {
  const [a, b] = pair(id, hosts, [1 + (id % 60000), 1 + ((id * 31) % 60000)]);
  const n = 1 + r.int(12);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const fromA = i % 2 === 0;
    const l3 = B.ipv4(
      { src: ip4(fromA ? a : b), dst: ip4(fromA ? b : a), proto: 17 },
      B.udp(fromA ? 30000 + (id % 30000) : 53, fromA ? 53 : 30000 + (id % 30000), new Uint8Array(40 + r.int(200))),
    );
    out.push(
      vlan
        ? B.eth(M(fromA ? b : a), M(fromA ? a : b), 0x8100, B.vlanTag(10 + (id % 50), 0x0800, l3))
        : B.eth(M(fromA ? b : a), M(fromA ? a : b), 0x0800, l3),
    );
  }
  return out;
}

function icmpSession(id: number, hosts?: Hosts): Uint8Array[] {
  const [a, b] = pair(id, hosts, [1 + (id % 60000), 2 + (id % 59999)]);
  return [1, 2, 3].flatMap((seq) => [
    B.eth(
      M(b),
      M(a),
      0x0800,
      B.ipv4({ src: ip4(a), dst: ip4(b), proto: 1 }, B.icmpEcho(8, id & 0xffff, seq, new Uint8Array(56))),
    ),
    B.eth(
      M(a),
      M(b),
      0x0800,
      B.ipv4({ src: ip4(b), dst: ip4(a), proto: 1 }, B.icmpEcho(0, id & 0xffff, seq, new Uint8Array(56))),
    ),
  ]);
}

function arpSession(id: number): Uint8Array[] {
  const a = 1 + (id % 60000);
  const b = 2 + (id % 59999);
  return [
    B.pad60(B.eth('ff:ff:ff:ff:ff:ff', M(a), 0x0806, B.arp(1, M(a), ip4(a), '00:00:00:00:00:00', ip4(b)))),
    B.pad60(B.eth(M(a), M(b), 0x0806, B.arp(2, M(b), ip4(b), M(a), ip4(a)))),
  ];
}

/**
 * Writes `packets` frames; about `concurrent` sessions are interleaved at any time. Returns
 * sessions made. With `hosts`, addresses follow a host's traffic (see Hosts).
 */
export function writeMixedPcap(path: string, packets: number, concurrent = 4000, hosts?: Hosts): number {
  const r = new Rng();
  const out = new PcapOut(path);
  const live: Session[] = [];
  let id = 0;
  let ts = 1_764_000_000_000_000_000n;
  const newSession = (): Session => {
    id++;
    const x = r.next();
    let frames: Uint8Array[];
    if (x < 0.55) frames = tcpSession(r, id, false, false, hosts);
    else if (x < 0.63) frames = tcpSession(r, id, true, false, hosts);
    else if (x < 0.68) frames = tcpSession(r, id, false, true, hosts);
    else if (x < 0.83) frames = udpSession(r, id, false, hosts);
    else if (x < 0.9) frames = udpSession(r, id, true, hosts);
    else if (x < 0.97) frames = icmpSession(id, hosts);
    else frames = arpSession(id);
    return { frames, at: 0 };
  };
  for (let i = 0; i < concurrent; i++) live.push(newSession());
  while (out.packets < packets) {
    const k = r.int(live.length);
    const s = live[k]!;
    out.write(s.frames[s.at++]!, ts);
    ts += 2_000n + BigInt(r.int(8000));
    if (s.at === s.frames.length) live[k] = newSession();
  }
  out.close();
  return id;
}
