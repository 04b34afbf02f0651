import { col, enumCol } from './column.js';
import { defineTable } from './table.js';

/** Sampled decoded frame summaries (1 in `frames.sampleRate`). */
export const frames = defineTable({
  name: 'frames',
  doc: 'sampled decoded frame summaries',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'capture timestamp', { codec: 'DoubleDelta, ZSTD(1)', orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)'),
    col('iface', 'LowCardinality', 'interface', { orderBy: 1 }),
    enumCol('direction', ['unknown', 'in', 'out'] as const, 'direction relative to the interface'),
    enumCol(
      'rx_mode',
      ['unicast', 'broadcast', 'multicast', 'promisc', 'outgoing', 'unknown'] as const,
      'NIC receive mode that accepts the frame (outgoing: sent by this host)',
    ),
    col('sample_rate', 'UInt32', 'this frame stands for N frames'),
    col('wire_len', 'UInt32', 'frame length on the wire'),
    col('cap_len', 'UInt32', 'bytes captured'),
    col('src_mac', 'UInt64', 'source MAC as a 48-bit number'),
    col('dst_mac', 'UInt64', 'destination MAC as a 48-bit number'),
    col('vlan', 'UInt16', 'outer VLAN id (0: none)'),
    col('ethertype', 'UInt16', 'innermost EtherType'),
    col('tunnel_type', 'LowCardinality', "tunnel ('' none)"),
    col('tunnel_id', 'UInt32', 'VNI / key (0: none)'),
    col('proto', 'UInt8', 'IP protocol (0: not IP)'),
    col('src_ip', 'IPv6', 'source address (IPv4 v4-mapped)'),
    col('dst_ip', 'IPv6', 'destination address (IPv4 v4-mapped)'),
    col('src_port', 'UInt16', 'source port'),
    col('dst_port', 'UInt16', 'destination port'),
    col('tcp_flags', 'UInt16', 'TCP flags'),
    col('malformed', 'LowCardinality', "decoder anomaly ('' none)"),
    col('summary', 'String', 'one-line text summary', { codec: 'ZSTD(3)' }),
  ],
});
