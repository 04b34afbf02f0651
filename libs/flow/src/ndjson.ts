/** NDJSON flow records: the field names the storage schema maps to ClickHouse columns (keep them). */
import { TUNNEL_NAMES, epochNs, ipv4ToString, ipv6ToString, macToString } from '@nicscope/packet';
import { END_REASON_NAMES, type FlowRecord } from './record.js';

/** A flow record as one JSON object. Timestamps: "SECONDS.NNNNNNNNN" since the Unix epoch, UTC. */
export interface FlowJson {
  iface: string;
  vlan: number;
  vlan_inner: number;
  tunnel_type: string;
  tunnel_id: number;
  ip_version: number;
  proto: number;
  ethertype: number;
  src_ip: string | null;
  src_port: number;
  dst_ip: string | null;
  dst_port: number;
  src_mac: string | null;
  dst_mac: string | null;
  packets_fwd: number;
  bytes_fwd: number;
  packets_rev: number;
  bytes_rev: number;
  first_ts: string;
  last_ts: string;
  /** Per direction (null: no packet that way since the flow's start or active-timeout restart). */
  first_ts_fwd: string | null;
  last_ts_fwd: string | null;
  first_ts_rev: string | null;
  last_ts_rev: string | null;
  tcp_flags_fwd: number;
  tcp_flags_rev: number;
  rtt_us: number | null;
  retransmits: number;
  out_of_order: number;
  zero_windows: number;
  resets: number;
  end_reason: string;
}

function addr(version: number, a: Uint32Array): string | null {
  if (version === 4) return ipv4ToString(a[0]!);
  if (version === 6) return ipv6ToString(a[0]!, a[1]!, a[2]!, a[3]!);
  return null;
}

function dirTs(t: Float64Array, at: number): string | null {
  return t[at]! < 0 ? null : epochNs(t[at]!, t[at + 1]!);
}

export function flowToJson(r: FlowRecord, ifaceNames: readonly string[] = []): FlowJson {
  return {
    iface: ifaceNames[r.iface] ?? String(r.iface),
    vlan: r.vlan,
    vlan_inner: r.vlanInner,
    tunnel_type: TUNNEL_NAMES[r.tunnelType] ?? '',
    tunnel_id: r.tunnelId,
    ip_version: r.ipVersion,
    proto: r.proto,
    ethertype: r.etherType,
    src_ip: addr(r.ipVersion, r.src),
    src_port: r.srcPort,
    dst_ip: addr(r.ipVersion, r.dst),
    dst_port: r.dstPort,
    src_mac: r.hasMac ? macToString(r.srcMacHi, r.srcMacLo) : null,
    dst_mac: r.hasMac ? macToString(r.dstMacHi, r.dstMacLo) : null,
    packets_fwd: r.packetsFwd,
    bytes_fwd: r.bytesFwd,
    packets_rev: r.packetsRev,
    bytes_rev: r.bytesRev,
    first_ts: epochNs(r.firstSec, r.firstNsec),
    last_ts: epochNs(r.lastSec, r.lastNsec),
    first_ts_fwd: dirTs(r.dirTimes, 0),
    last_ts_fwd: dirTs(r.dirTimes, 2),
    first_ts_rev: dirTs(r.dirTimes, 4),
    last_ts_rev: dirTs(r.dirTimes, 6),
    tcp_flags_fwd: r.tcpFlagsFwd,
    tcp_flags_rev: r.tcpFlagsRev,
    rtt_us: r.rttUs < 0 ? null : r.rttUs,
    retransmits: r.retransmits,
    out_of_order: r.outOfOrder,
    zero_windows: r.zeroWindows,
    resets: r.resets,
    end_reason: END_REASON_NAMES[r.endReason] ?? 'unknown',
  };
}

/** One NDJSON line (with the trailing newline). */
export function flowToNdjson(r: FlowRecord, ifaceNames: readonly string[] = []): string {
  return JSON.stringify(flowToJson(r, ifaceNames)) + '\n';
}
