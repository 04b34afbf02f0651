/**
 * Frame builders for tests, the e2e frame crafting (VLAN/QinQ/GRE/Geneve sent with AF_PACKET) and the
 * bench pcap generator. Plain byte concatenation; not used by the product.
 */
export type Bytes = Uint8Array;

export function cat(...parts: Bytes[]): Bytes {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(s: string): Bytes {
  const c = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(c.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(c.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(b: Bytes): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function u16(v: number): Bytes {
  return new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);
}
function u32(v: number): Bytes {
  return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

export function mac(s: string): Bytes {
  return hex(s);
}

export function ip4(s: string): Bytes {
  return new Uint8Array(s.split('.').map(Number));
}

export function ip6(s: string): Bytes {
  const [head = '', tail = ''] = s.includes('::') ? s.split('::') : [s, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return cat(...groups.map((g) => u16(parseInt(g, 16))));
}

export function eth(dst: string, src: string, type: number, payload: Bytes): Bytes {
  return cat(mac(dst), mac(src), u16(type), payload);
}

/** A VLAN tag (TPID 0x8100 or 0x88a8) in front of `type`: use as eth(dst, src, tpid, vlanTag(vid, type, payload)). */
export function vlanTag(vid: number, type: number, payload: Bytes, pcp = 0): Bytes {
  return cat(u16((pcp << 13) | vid), u16(type), payload);
}

function csum(b: Bytes): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface Ip4Opts {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  ttl?: number;
  mf?: boolean;
  df?: boolean;
  fragOff?: number;
  options?: Bytes;
  totalLen?: number;
}

export function ipv4(o: Ip4Opts, payload: Bytes): Bytes {
  const opts = o.options ?? new Uint8Array(0);
  const ihl = 20 + opts.length;
  const h = cat(
    new Uint8Array([0x40 | (ihl / 4), 0]),
    u16(o.totalLen ?? ihl + payload.length),
    u16(o.id ?? 1),
    u16((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOff ?? 0) / 8)),
    new Uint8Array([o.ttl ?? 64, o.proto, 0, 0]),
    ip4(o.src),
    ip4(o.dst),
    opts,
  );
  const c = csum(h);
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return cat(h, payload);
}

export function ipv6(
  o: { src: string; dst: string; next: number; hop?: number; payloadLen?: number },
  payload: Bytes,
): Bytes {
  return cat(
    u32(0x60000000),
    u16(o.payloadLen ?? payload.length),
    new Uint8Array([o.next, o.hop ?? 64]),
    ip6(o.src),
    ip6(o.dst),
    payload,
  );
}

/** An IPv6 fragment extension header. */
export function ip6Frag(next: number, offset: number, more: boolean, id: number, payload: Bytes): Bytes {
  return cat(new Uint8Array([next, 0]), u16(offset | (more ? 1 : 0)), u32(id), payload);
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags: number;
  win?: number;
  options?: Bytes;
}

export function tcp(o: TcpOpts, payload: Bytes = new Uint8Array(0)): Bytes {
  const opts = o.options ?? new Uint8Array(0);
  const pad = (4 - (opts.length % 4)) % 4;
  const off = (20 + opts.length + pad) / 4;
  return cat(
    u16(o.sport),
    u16(o.dport),
    u32(o.seq ?? 0),
    u32(o.ack ?? 0),
    u16((off << 12) | o.flags),
    u16(o.win ?? 65535),
    u16(0),
    u16(0),
    opts,
    new Uint8Array(pad),
    payload,
  );
}

export function udp(sport: number, dport: number, payload: Bytes, length?: number): Bytes {
  return cat(u16(sport), u16(dport), u16(length ?? 8 + payload.length), u16(0), payload);
}

export function icmpEcho(type: number, id: number, seq: number, payload: Bytes = new Uint8Array(8)): Bytes {
  return cat(new Uint8Array([type, 0, 0, 0]), u16(id), u16(seq), payload);
}

export function vxlan(vni: number, inner: Bytes): Bytes {
  return cat(new Uint8Array([0x08, 0, 0, 0]), u32(vni << 8), inner);
}

export function geneve(vni: number, proto: number, inner: Bytes, options: Bytes = new Uint8Array(0)): Bytes {
  return cat(new Uint8Array([options.length / 4, 0]), u16(proto), u32(vni << 8), options, inner);
}

export function gre(proto: number, inner: Bytes, key?: number): Bytes {
  return key === undefined ? cat(u16(0), u16(proto), inner) : cat(u16(0x2000), u16(proto), u32(key), inner);
}

export function arp(op: number, sha: string, spa: string, tha: string, tpa: string): Bytes {
  return cat(u16(1), u16(0x0800), new Uint8Array([6, 4]), u16(op), mac(sha), ip4(spa), mac(tha), ip4(tpa));
}

/** TCP options: MSS, SACK permitted, timestamps, NOP, window scale (as Linux sends in a SYN). */
export function synOptions(mss = 1460, ws = 7, tsVal = 1, tsEcr = 0): Bytes {
  return cat(
    new Uint8Array([2, 4]),
    u16(mss),
    new Uint8Array([4, 2, 8, 10]),
    u32(tsVal),
    u32(tsEcr),
    new Uint8Array([1, 3, 3, ws]),
  );
}

/** Zero-padded to the 60-byte Ethernet minimum (without FCS), as a NIC would send it. */
export function pad60(frame: Bytes): Bytes {
  return frame.length >= 60 ? frame : cat(frame, new Uint8Array(60 - frame.length));
}

/** A DataView over exactly `b` (with byteOffset), as the parser expects. */
export function viewOf(b: Bytes): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
