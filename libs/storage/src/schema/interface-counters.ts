import { col } from './column.js';
import { defineTable } from './table.js';

const CNT = 'T64, ZSTD(1)';

/** Kernel and capture counters per interface per interval: cumulative, with drops by where they happened. */
export const interfaceCounters = defineTable({
  name: 'interface_counters',
  doc: 'kernel and capture counters per interface per interval (cumulative)',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'sample time', { codec: 'DoubleDelta, ZSTD(1)', orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)'),
    col('iface', 'LowCardinality', 'interface', { orderBy: 1 }),
    col('netns', 'LowCardinality', "network namespace ('' root)"),
    col('ifindex', 'UInt32', 'interface index'),
    col('rx_packets', 'UInt64', 'kernel: packets received', { codec: CNT }),
    col('rx_bytes', 'UInt64', 'kernel: bytes received', { codec: CNT }),
    col('tx_packets', 'UInt64', 'kernel: packets sent', { codec: CNT }),
    col('tx_bytes', 'UInt64', 'kernel: bytes sent', { codec: CNT }),
    col('rx_errors', 'UInt64', 'kernel: receive errors', { codec: CNT }),
    col('tx_errors', 'UInt64', 'kernel: transmit errors', { codec: CNT }),
    col('rx_dropped', 'UInt64', 'dropped by the kernel stack on receive', { codec: CNT }),
    col('tx_dropped', 'UInt64', 'dropped by the kernel stack on transmit', { codec: CNT }),
    col('rx_missed', 'UInt64', 'dropped by the NIC (missed, fifo)', { codec: CNT }),
    col('capture_received', 'UInt64', 'capture: packets received by the filter (pcap recv)', { codec: CNT }),
    col('capture_dropped_kernel', 'UInt64', 'capture: dropped in the kernel capture buffer (pcap drop)', {
      codec: CNT,
    }),
    col('capture_dropped_iface', 'UInt64', 'capture: dropped by the interface/driver (pcap ifdrop)', { codec: CNT }),
    col('capture_dropped_app', 'UInt64', 'capture: dropped in the collector (queue full)', { codec: CNT }),
    col('malformed', 'UInt64', 'frames the decoder flagged as malformed', { codec: CNT }),
  ],
});
