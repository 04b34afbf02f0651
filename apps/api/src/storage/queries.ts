/**
 * Every SQL text the API runs, in one place. Texts are constants or are assembled only from the
 * constant fragments below (which filter is present decides which fragment is appended); every
 * value a user gave is a `{name:Type}` parameter. Table and column names follow libs/storage's
 * schema (see docs/api.md "Tables read").
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

/** Table names inside the configured database (the database name is a validated config identifier). */
export const T = {
  flows: 'flows',
  flows1m: 'flows_1m',
  interfaceCounters: 'interface_counters',
  ovsDatapath: 'ovs_datapath',
  inventory: 'inventory',
  collectorHealth: 'collector_health',
} as const;

/** The WHERE fragments of the flows table, one per optional filter: constants, never user text. */
const FLOW_WHERE = {
  range: 'ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})',
  iface: 'iface = {iface:String}',
  addr: '(src_addr = toIPv6({addr:String}) OR dst_addr = toIPv6({addr:String}))',
  port: '(src_port = {port:UInt16} OR dst_port = {port:UInt16})',
  proto: 'proto = {proto:UInt8}',
  vlan: 'vlan = {vlan:UInt16}',
  tunnel: 'tunnel = {tunnel:String}',
} as const;

export function flowWhere(f: FlowFilter): Sql {
  const parts: string[] = [FLOW_WHERE.range];
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
const ADDR = (col: string): string =>
  `if(isIPv4String(toString(${col})) OR startsWith(toString(${col}), '::ffff:'), replaceOne(toString(${col}), '::ffff:', ''), toString(${col}))`;

export function flowsList(db: string, f: FlowFilter, limit: number, offset: number): Sql {
  const w = flowWhere(f);
  return {
    query:
      `SELECT toUnixTimestamp64Milli(ts) AS tsMs, collector, iface, proto, vlan, tunnel, ` +
      `${ADDR('src_addr')} AS srcAddr, ${ADDR('dst_addr')} AS dstAddr, src_port AS srcPort, dst_port AS dstPort, ` +
      `packets, bytes, packets_rev AS packetsRev, bytes_rev AS bytesRev, ` +
      `toUnixTimestamp64Milli(first_seen) AS firstSeenMs, toUnixTimestamp64Milli(last_seen) AS lastSeenMs, state ` +
      `FROM ${db}.${T.flows} WHERE ${w.query} ORDER BY ts DESC, iface LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params: { ...w.params, limit, offset },
  };
}

export type TopKind = 'talkers' | 'conversations' | 'protocols';

export function top(db: string, kind: TopKind, f: FlowFilter, by: 'bytes' | 'packets', n: number): Sql {
  const w = flowWhere(f);
  const metric = by === 'bytes' ? 'bytes' : 'packets';
  let query: string;
  if (kind === 'talkers') {
    // A talker's traffic is what it sent plus what it received, on either side of a flow.
    query =
      `SELECT addr, sum(b) AS bytes, sum(p) AS packets FROM (` +
      `SELECT ${ADDR('src_addr')} AS addr, bytes + bytes_rev AS b, packets + packets_rev AS p FROM ${db}.${T.flows} WHERE ${w.query} ` +
      `UNION ALL SELECT ${ADDR('dst_addr')} AS addr, bytes + bytes_rev AS b, packets + packets_rev AS p FROM ${db}.${T.flows} WHERE ${w.query}` +
      `) GROUP BY addr ORDER BY ${metric} DESC, addr LIMIT {n:UInt32}`;
  } else if (kind === 'conversations') {
    query =
      `SELECT ${ADDR('src_addr')} AS srcAddr, ${ADDR('dst_addr')} AS dstAddr, proto, src_port AS srcPort, dst_port AS dstPort, ` +
      `sum(bytes + bytes_rev) AS bytes, sum(packets + packets_rev) AS packets FROM ${db}.${T.flows} WHERE ${w.query} ` +
      `GROUP BY srcAddr, dstAddr, proto, srcPort, dstPort ORDER BY ${metric} DESC, srcAddr, dstAddr, srcPort, dstPort LIMIT {n:UInt32}`;
  } else {
    query =
      `SELECT proto, sum(bytes + bytes_rev) AS bytes, sum(packets + packets_rev) AS packets FROM ${db}.${T.flows} WHERE ${w.query} ` +
      `GROUP BY proto ORDER BY ${metric} DESC, proto LIMIT {n:UInt32}`;
  }
  return { query, params: { ...w.params, n } };
}

export function series(db: string, r: Range, iface: string | undefined, stepS: number, limit: number): Sql {
  return {
    query:
      `SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({step:UInt32}))) * 1000 AS tMs, iface, ` +
      `sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows FROM ${db}.${T.flows1m} ` +
      `WHERE minute >= fromUnixTimestamp64Milli({from:Int64}) AND minute < fromUnixTimestamp64Milli({to:Int64})` +
      (iface !== undefined ? ' AND iface = {iface:String}' : '') +
      ` GROUP BY tMs, iface ORDER BY tMs, iface LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, step: stepS, limit, ...(iface !== undefined ? { iface } : {}) },
  };
}

export function ovsDatapath(db: string, r: Range, bridge: string | undefined, limit: number): Sql {
  return {
    query:
      `SELECT toUnixTimestamp64Milli(ts) AS tsMs, collector, datapath, bridge, hits, misses, lost, flows, ` +
      `emc_hits AS emcHits, smc_hits AS smcHits, megaflow_hits AS megaflowHits, upcalls ` +
      `FROM ${db}.${T.ovsDatapath} WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})` +
      (bridge !== undefined ? ' AND bridge = {bridge:String}' : '') +
      ` ORDER BY collector, datapath, ts LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, limit, ...(bridge !== undefined ? { bridge } : {}) },
  };
}

export function captureHealth(db: string, r: Range, iface: string | undefined, limit: number): Sql {
  return {
    query:
      `SELECT toUnixTimestamp64Milli(ts) AS tsMs, collector, iface, packets, bytes, kernel_drops AS kernelDrops, ` +
      `if_drops AS ifDrops, malformed FROM ${db}.${T.interfaceCounters} ` +
      `WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})` +
      (iface !== undefined ? ' AND iface = {iface:String}' : '') +
      ` ORDER BY collector, iface, ts LIMIT {limit:UInt32}`,
    params: { from: r.fromMs, to: r.toMs, limit, ...(iface !== undefined ? { iface } : {}) },
  };
}

export function collectors(db: string): Sql {
  return {
    query:
      `SELECT collector, toUnixTimestamp64Milli(max(ts)) AS lastSeenMs, argMax(kernel_drops, ts) AS kernelDrops, ` +
      `argMax(malformed, ts) AS malformed, argMax(flows_evicted, ts) AS flowsEvicted, argMax(spool_bytes, ts) AS spoolBytes ` +
      `FROM ${db}.${T.collectorHealth} GROUP BY collector ORDER BY collector`,
    params: {},
  };
}

export function inventoryLatest(db: string, limit: number): Sql {
  return {
    query:
      `SELECT collector, name, ifindex, kind, driver, mac, mtu, master, peer, netns, vm, ovs_bridge AS ovsBridge, ` +
      `toUnixTimestamp64Milli(ts) AS tsMs FROM ${db}.${T.inventory} ` +
      `ORDER BY collector, name, ts DESC LIMIT 1 BY collector, name LIMIT {limit:UInt32}`,
    params: { limit },
  };
}
