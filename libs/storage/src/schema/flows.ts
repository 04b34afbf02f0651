import { col, enumCol } from './column.js';
import { defineTable } from './table.js';

const TS = 'DoubleDelta, ZSTD(1)';
const CNT = 'T64, ZSTD(1)';

/**
 * Interim and final flow records. Addresses are IPv6 columns; IPv4 addresses are stored v4-mapped
 * (::ffff:a.b.c.d), see docs/decisions/0401-storage-ip-columns.md; a flow that is not IP (keyed on
 * its MAC addresses, decision 0200) has no address (::), its EtherType and its MACs. Counters
 * `*_fwd/*_rev` are the flow's totals so far; `*_delta` the part of this interval (the rollups sum the deltas).
 */
export const flows = defineTable({
  name: 'flows',
  doc: 'interim and final flow records',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'time of the record (end of its interval)', { codec: TS, orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host) that wrote the record'),
    enumCol('record_type', ['interim', 'final'] as const, 'interim: flow still active; final: flow ended'),
    col('flow_id', 'UInt64', 'flow identity, stable across the interim records of one flow'),
    col('iface', 'LowCardinality', 'interface the flow was seen on', { orderBy: 1 }),
    col('vlan', 'UInt16', 'outer VLAN id (0: none)'),
    col('tunnel_type', 'LowCardinality', "tunnel around the flow ('' none, vxlan, geneve, gre)"),
    col('tunnel_id', 'UInt32', 'VNI / key of the tunnel (0: none)'),
    col('proto', 'UInt8', 'IP protocol number', { orderBy: 3 }),
    col('ether_type', 'UInt16', 'EtherType of a flow that is not IP (ARP, LLDP…; 0 for IPv4 and IPv6)'),
    col('src_ip', 'IPv6', 'initiator address (IPv4 v4-mapped)', { orderBy: 4 }),
    col('src_port', 'UInt16', 'initiator port (0: none)'),
    col('dst_ip', 'IPv6', 'responder address (IPv4 v4-mapped)', { orderBy: 5 }),
    col('dst_port', 'UInt16', 'responder port (0: none)'),
    col('src_mac', 'UInt64', 'initiator MAC as a 48-bit number'),
    col('dst_mac', 'UInt64', 'responder MAC as a 48-bit number'),
    col('packets_fwd', 'UInt64', 'packets initiator → responder, flow total', { codec: CNT }),
    col('bytes_fwd', 'UInt64', 'bytes initiator → responder, flow total', { codec: CNT }),
    col('packets_rev', 'UInt64', 'packets responder → initiator, flow total', { codec: CNT }),
    col('bytes_rev', 'UInt64', 'bytes responder → initiator, flow total', { codec: CNT }),
    col('packets_delta_fwd', 'UInt64', 'packets initiator → responder in this interval', { codec: CNT }),
    col('bytes_delta_fwd', 'UInt64', 'bytes initiator → responder in this interval', { codec: CNT }),
    col('packets_delta_rev', 'UInt64', 'packets responder → initiator in this interval', { codec: CNT }),
    col('bytes_delta_rev', 'UInt64', 'bytes responder → initiator in this interval', { codec: CNT }),
    col('first_ts', 'DateTime64', 'first packet of the flow', { codec: TS }),
    col('last_ts', 'DateTime64', 'last packet of the flow so far', { codec: TS }),
    col('tcp_flags_fwd', 'UInt16', 'OR of TCP flags initiator → responder'),
    col('tcp_flags_rev', 'UInt16', 'OR of TCP flags responder → initiator'),
    col('rtt_us', 'UInt32', 'TCP handshake round-trip time, µs (0: unknown)'),
    col('retransmits', 'UInt32', 'TCP retransmissions seen'),
    col(
      'end_reason',
      'LowCardinality',
      "why the flow ended ('' for interim: idle, active, fin, rst, evicted, shutdown)",
    ),
  ],
});
