/**
 * Every SQL text the API runs, in one place. Texts are constants or are assembled only from the
 * constant fragments below (which filter is present decides which fragment is appended); every
 * value a user gave is a `{name:Type}` parameter. Table and column names are libs/storage's schema
 * (libs/storage/src/schema/*.ts); the database name is the validated config identifier.
 */
import { PROTO_NUMBERS } from '@nicscope/contracts';

export interface Range {
  fromMs: number;
  toMs: number;
}

export interface FlowFilter extends Range {
  iface?: string;
  addr?: string;
  port?: number;
  proto?: string | number;
  vlan?: number;
  tunnel?: 'none' | 'vxlan' | 'geneve' | 'gre';
}

export interface Sql {
  query: string;
  params: Record<string, unknown>;
}

/** Table names inside the configured database (libs/storage/src/schema). */
export const T = {
  flows: 'flows',
  flows1m: 'flows_1m',
  interfaceCounters: 'interface_counters',
  ovsDatapath: 'ovs_datapath',
  inventory: 'inventory',
  collectorHealth: 'collector_health',
} as const;

const RANGE = 'ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})';

/** The WHERE fragments of the flows table, one per optional filter: constants, never user text. */
const FLOW_WHERE = {
  iface: 'iface = {iface:String}',
  addr: '(src_ip = toIPv6({addr:String}) OR dst_ip = toIPv6({addr:String}))',
  port: '(src_port = {port:UInt16} OR dst_port = {port:UInt16})',
  proto: 'proto = {proto:UInt8}',
  vlan: 'vlan = {vlan:UInt16}',
  tunnel: 'tunnel_type = {tunnel:String}',
} as const;

export function flowWhere(f: FlowFilter): Sql {
  const parts: string[] = [RANGE];
  const params: Record<string, unknown> = { from: f.fromMs, to: f.toMs };
  if (f.iface !== undefined) {
    parts.push(FLOW_WHERE.iface);
    params.iface = f.iface;
  }
  if (f.addr !== undefined) {
    parts.push(FLOW_WHERE.addr);
    params.addr = f.addr;
  }
  if (f.port !== undefined) {
    parts.push(FLOW_WHERE.port);
    params.port = f.port;
  }
  if (f.proto !== undefined) {
    parts.push(FLOW_WHERE.proto);
    params.proto = typeof f.proto === 'number' ? f.proto : PROTO_NUMBERS[f.proto];
  }
  if (f.vlan !== undefined) {
    parts.push(FLOW_WHERE.vlan);
    params.vlan = f.vlan;
  }
  if (f.tunnel !== undefined) {
    parts.push(FLOW_WHERE.tunnel);
    params.tunnel = f.tunnel === 'none' ? '' : f.tunnel;
  }
  return { query: parts.join(' AND '), params };
}

/** IPv4 addresses are stored v4-mapped in IPv6 columns; show them as dotted quads. */
const ADDR = (col: string): string => `replaceRegexpOne(toString(${col}), '^::ffff:([0-9.]+)$', '\\\\1')`;
const MS = (col: string): string => `toUnixTimestamp64Milli(${col})`;
/** A flow's address as ADDR shows it; '' for a flow that is not IP (as the live stream shows it). */
const FLOW_ADDR = (col: string): string => `if(ether_type = 0, ${ADDR(col)}, '')`;
/** A MAC (UInt64) as aa:bb:cc:dd:ee:ff, '' when unknown (0: a capture without link-layer addresses). */
const MAC = (col: string): string => `if(${col} = 0, '', lower(MACNumToString(${col})))`;

export function flowsList(db: string, f: FlowFilter, limit: number, offset: number): Sql {
  const w = flowWhere(f);
  return {
    query:
      `SELECT ${MS('ts')} AS tsMs, collector, record_type AS recordType, toString(flow_id) AS flowId, iface, vlan, ` +
      `tunnel_type AS tunnelType, tunnel_id AS tunnelId, proto, ether_type AS etherType, ${FLOW_ADDR('src_ip')} AS srcAddr, ` +
      `src_port AS srcPort, ${FLOW_ADDR('dst_ip')} AS dstAddr, dst_port AS dstPort, ${MAC('src_mac')} AS srcMac, ${MAC('dst_mac')} AS dstMac, packets_fwd AS packetsFwd, bytes_fwd AS bytesFwd, ` +
      `packets_rev AS packetsRev, bytes_rev AS bytesRev, packets_delta_fwd AS packetsDeltaFwd, bytes_delta_fwd AS bytesDeltaFwd, ` +
      `packets_delta_rev AS packetsDeltaRev, bytes_delta_rev AS bytesDeltaRev, ${MS('first_ts')} AS firstMs, ${MS('last_ts')} AS lastMs, ` +
      `tcp_flags_fwd AS tcpFlagsFwd, tcp_flags_rev AS tcpFlagsRev, rtt_us AS rttUs, retransmits, end_reason AS endReason ` +
      `FROM ${db}.${T.flows} WHERE ${w.query} ORDER BY ts DESC, iface, flow_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params: { ...w.params, limit, offset },
  };
}

export type TopKind = 'talkers' | 'conversations' | 'protocols';

/** Over a range, traffic is the sum of the per-interval deltas (totals would count a flow once per record). */
const BYTES = 'bytes_delta_fwd + bytes_delta_rev';
const PACKETS = 'packets_delta_fwd + packets_delta_rev';

export function top(db: string, kind: TopKind, f: FlowFilter, by: 'bytes' | 'packets', n: number): Sql {
  const w = flowWhere(f);
  const order = by === 'bytes' ? 'bytes' : 'packets';
  // Talkers and conversations are IP addresses: flows that are not IP (ARP, LLDP…) have none.
  const ip = `${w.query} AND ether_type = 0`;
  let query: string;
  if (kind === 'talkers') {
    // A talker's traffic is what it sent plus what it received, on either side of a flow.
    query =
      `SELECT addr, sum(b) AS bytes, sum(p) AS packets FROM (` +
      `SELECT ${ADDR('src_ip')} AS addr, ${BYTES} AS b, ${PACKETS} AS p FROM ${db}.${T.flows} WHERE ${ip} ` +
      `UNION ALL SELECT ${ADDR('dst_ip')} AS addr, ${BYTES} AS b, ${PACKETS} AS p FROM ${db}.${T.flows} WHERE ${ip}` +
      `) GROUP BY addr ORDER BY ${order} DESC, addr LIMIT {n:UInt32}`;
  } else if (kind === 'conversations') {
    query =
      `SELECT ${ADDR('src_ip')} AS srcAddr, ${ADDR('dst_ip')} AS dstAddr, sum(${BYTES}) AS bytes, sum(${PACKETS}) AS packets, ` +
      `uniqExact(flow_id) AS flows FROM ${db}.${T.flows} WHERE ${ip} ` +
      `GROUP BY srcAddr, dstAddr ORDER BY ${order} DESC, srcAddr, dstAddr LIMIT {n:UInt32}`;
  } else {
    query =
      `SELECT proto, sum(${BYTES}) AS bytes, sum(${PACKETS}) AS packets, uniqExact(flow_id) AS flows ` +
      `FROM ${db}.${T.flows} WHERE ${w.query} GROUP BY proto ORDER BY ${order} DESC, proto LIMIT {n:UInt32}`;
  }
  return { query, params: { ...w.params, n } };
}

export function series(db: string, r: Range, iface: string | undefined, stepS: number, limit: number): Sql {
  return {
    query:
      `SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({step:UInt32}))) * 1000 AS tMs, iface, ` +
      `sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows FROM ${db}.${T.flows1m} ` +
      `WHERE ts >= toDateTime(intDiv({from:Int64}, 1000)) AND ts < toDateTime(intDiv({to:Int64}, 1000))` +
      (iface !== undefined ? ' AND iface = {iface:String}' : '') +
      ` GROUP BY tMs, iface ORDER BY tMs, iface LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, step: stepS, limit, ...(iface !== undefined ? { iface } : {}) },
  };
}

export function ovsDatapath(db: string, r: Range, datapath: string | undefined, limit: number): Sql {
  return {
    query:
      `SELECT ${MS('ts')} AS tsMs, collector, datapath, dp_type AS dpType, lookups_hit AS hits, lookups_missed AS misses, ` +
      `lookups_lost AS lost, flows, emc_hits AS emcHits, smc_hits AS smcHits, megaflow_hits AS megaflowHits, upcalls ` +
      `FROM ${db}.${T.ovsDatapath} WHERE ${RANGE}` +
      (datapath !== undefined ? ' AND datapath = {datapath:String}' : '') +
      ` ORDER BY collector, datapath, ts LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, limit, ...(datapath !== undefined ? { datapath } : {}) },
  };
}

export function captureHealth(db: string, r: Range, iface: string | undefined, limit: number): Sql {
  return {
    query:
      `SELECT ${MS('ts')} AS tsMs, collector, iface, netns, capture_received AS received, ` +
      `capture_dropped_kernel AS droppedKernel, capture_dropped_iface AS droppedIface, capture_dropped_app AS droppedApp, ` +
      `malformed, rx_packets AS rxPackets, rx_dropped AS rxDropped, rx_missed AS rxMissed ` +
      `FROM ${db}.${T.interfaceCounters} WHERE ${RANGE}` +
      (iface !== undefined ? ' AND iface = {iface:String}' : '') +
      ` ORDER BY collector, iface, ts LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, limit, ...(iface !== undefined ? { iface } : {}) },
  };
}

export function collectors(db: string, limit: number): Sql {
  return {
    query:
      `SELECT collector, ${MS('max(ts)')} AS lastSeenMs, ${MS('argMax(started, ts)')} AS startedMs, ` +
      `argMax(kernel_drops, ts) AS kernelDrops, argMax(iface_drops, ts) AS ifaceDrops, argMax(malformed, ts) AS malformed, ` +
      `argMax(flow_evictions, ts) AS flowEvictions, argMax(rows_written, ts) AS rowsWritten, ` +
      `argMax(insert_errors, ts) AS insertErrors, argMax(spool_bytes, ts) AS spoolBytes, ` +
      `argMax(spool_dropped_rows, ts) AS spoolDroppedRows ` +
      `FROM ${db}.${T.collectorHealth} GROUP BY collector ORDER BY collector LIMIT {limit:UInt32}`,
    params: { limit },
  };
}

/** The latest inventory snapshot of every collector. */
export function inventoryLatest(db: string, limit: number): Sql {
  return {
    query:
      `SELECT collector, netns, iface AS name, ifindex, kind, driver, ` +
      `mac, mtu, oper_state AS operState, master, peer, peer_netns AS peerNetns, ` +
      `ovs_bridge AS ovsBridge, owner, addresses, ${MS('ts')} AS tsMs FROM ${db}.${T.inventory} ` +
      `WHERE (collector, snapshot_id) IN (SELECT collector, argMax(snapshot_id, ts) FROM ${db}.${T.inventory} GROUP BY collector) ` +
      `ORDER BY collector, netns, name LIMIT {limit:UInt32}`,
    params: { limit },
  };
}
