/**
 * tshark as the reference: field exports aggregated into conversations, and `-z conv,...` tables,
 * in the same normalised shape as nicscope's flow records, so tests compare them one to one.
 */
import { run } from '../support/exec.js';
import { type FlowJson } from '@nicscope/flow';

/** Per conversation: frames and bytes from the lower endpoint to the higher one ("ab") and back ("ba"). */
export interface Conv {
  key: string;
  ab: { frames: number; bytes: number };
  ba: { frames: number; bytes: number };
}

/** Normalises (endpoint x -> endpoint y) to a key with a direction flag. */
function norm(prefix: string, x: string, y: string): { key: string; xIsA: boolean } {
  const xIsA = x <= y;
  return { key: `${prefix}|${xIsA ? x : y}|${xIsA ? y : x}`, xIsA };
}

function add(map: Map<string, Conv>, prefix: string, x: string, y: string, frames: number, bytes: number): void {
  const { key, xIsA } = norm(prefix, x, y);
  let c = map.get(key);
  if (!c) map.set(key, (c = { key, ab: { frames: 0, bytes: 0 }, ba: { frames: 0, bytes: 0 } }));
  const d = xIsA ? c.ab : c.ba;
  d.frames += frames;
  d.bytes += bytes;
}

/** Canonical text of an IPv6 address as tshark prints it (already RFC 5952) or an IPv4 one. */
const ep = (ip: string, port: number | string): string => `${ip}#${port}`;

/** nicscope's records (summed over interim/final records of a flow) in the comparison shape. */
export function flowsToConvs(flows: readonly FlowJson[]): Map<string, Conv> {
  const m = new Map<string, Conv>();
  for (const f of flows) {
    const tun = f.tunnel_type ? `${f.tunnel_type}:${f.tunnel_id}` : '-';
    const vlan = f.vlan ? String(f.vlan) : '-';
    let prefix: string;
    let x: string;
    let y: string;
    if (f.ip_version === 0) {
      prefix = `${tun}|${vlan}|eth:0x${f.ethertype.toString(16).padStart(4, '0')}`;
      x = f.src_mac!;
      y = f.dst_mac!;
    } else {
      const ports = f.proto === 6 || f.proto === 17;
      prefix = `${tun}|${vlan}|ip:${f.proto}`;
      x = ep(f.src_ip!, ports ? f.src_port : 0);
      y = ep(f.dst_ip!, ports ? f.dst_port : 0);
    }
    add(m, prefix, x, y, f.packets_fwd, f.bytes_fwd);
    add(m, prefix, y, x, f.packets_rev, f.bytes_rev);
  }
  for (const [k, c] of m) if (c.ab.frames === 0 && c.ba.frames === 0) m.delete(k);
  return m;
}

const FIELDS = [
  'frame.len',
  'frame.protocols',
  'eth.src',
  'eth.dst',
  'eth.type',
  'vlan.id',
  'vlan.etype',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'vxlan.vni',
  'geneve.vni',
  'gre.key',
  'ieee8021ad.id',
];

/**
 * tshark's field export (-T fields, every occurrence) aggregated the way nicscope keys flows: the
 * innermost IP pair (+ ports for TCP/UDP) under the tunnel type/VNI/key and outer VLAN, or the
 * innermost MAC pair + EtherType for non-IP frames.
 */
export async function tsharkFieldConvs(pcap: string): Promise<Map<string, Conv>> {
  const args = [
    'tshark',
    '-n',
    '-r',
    pcap,
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
  ];
  for (const f of FIELDS) args.push('-e', f);
  const { stdout } = await run(args, { timeoutMs: 120_000 });
  const m = new Map<string, Conv>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const v = line.split('\t');
    const all = (i: number): string[] => (v[i] ? v[i].split(',') : []);
    const last = (i: number): string => all(i).at(-1) ?? '';
    const len = Number(v[0]);
    const protos = (v[1] ?? '').split(':');
    let tun = '-';
    const tunAt = Math.max(protos.indexOf('vxlan'), protos.indexOf('geneve'), protos.indexOf('gre'));
    if (protos[tunAt] === 'vxlan') tun = `vxlan:${Number(last(16))}`;
    else if (protos[tunAt] === 'geneve') tun = `geneve:${Number(last(17))}`;
    else if (protos[tunAt] === 'gre') tun = `gre:${last(18) ? Number(last(18)) : 0}`;
    const vlan = all(19)[0] ?? all(5)[0] ?? '-';
    // Innermost IP layer (inside the tunnel when there is one) and the protocol that follows it.
    let ipAt = -1;
    for (let i = protos.length - 1; i > tunAt; i--)
      if (protos[i] === 'ip' || protos[i] === 'ipv6') {
        ipAt = i;
        break;
      }
    if (ipAt < 0) {
      const types = all(4);
      const et = types.at(-1) ?? '';
      const etherType = protos.includes('vlan') && tun === '-' ? (all(6).at(-1) ?? et) : et;
      add(m, `${tun}|${vlan}|eth:${etherType}`, last(2), last(3), 1, len);
      continue;
    }
    const isV6 = protos[ipAt] === 'ipv6';
    let l4 = '';
    for (let i = ipAt + 1; i < protos.length; i++) {
      if (protos[i]!.startsWith('ipv6.')) continue;
      l4 = protos[i]!;
      break;
    }
    const src = isV6 ? last(10) : last(7);
    const dst = isV6 ? last(11) : last(8);
    let proto: number;
    let sp: string | number = 0;
    let dp: string | number = 0;
    if (l4 === 'tcp') {
      proto = 6;
      sp = last(12);
      dp = last(13);
    } else if (l4 === 'udp') {
      proto = 17;
      sp = last(14);
      dp = last(15);
    } else if (l4 === 'icmp') proto = 1;
    else if (l4 === 'icmpv6') proto = 58;
    else proto = isV6 ? -1 : Number(last(9));
    add(m, `${tun}|${vlan}|ip:${proto}`, ep(src, sp), ep(dst, dp), 1, len);
  }
  return m;
}

export interface ConvRow {
  a: string;
  b: string;
  /** frames/bytes from b to a ("<-") and from a to b ("->"); bytes undefined when tshark rounded them (kB, MB). */
  fromB: { frames: number; bytes: number | undefined };
  fromA: { frames: number; bytes: number | undefined };
}

/** Parses `tshark -q -z conv,<type>[,filter]` output. */
export async function tsharkConv(pcap: string, type: string, filter?: string): Promise<ConvRow[]> {
  const z = filter ? `conv,${type},${filter}` : `conv,${type}`;
  const { stdout } = await run(['tshark', '-n', '-r', pcap, '-q', '-z', z], { timeoutMs: 120_000 });
  const rows: ConvRow[] = [];
  const bytes = (n: string, unit: string): number | undefined => (unit === 'bytes' ? Number(n) : undefined);
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+/.exec(line);
    if (!m) continue;
    rows.push({
      a: m[1]!,
      b: m[2]!,
      fromB: { frames: Number(m[3]), bytes: bytes(m[4]!, m[5]!) },
      fromA: { frames: Number(m[6]), bytes: bytes(m[7]!, m[8]!) },
    });
  }
  return rows;
}
