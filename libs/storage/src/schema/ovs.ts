import { col } from './column.js';
import { defineTable } from './table.js';

const CNT = 'T64, ZSTD(1)';
const TS = 'DoubleDelta, ZSTD(1)';

/** Open vSwitch datapath statistics per sample: cumulative counters plus the interval's hit ratio. */
export const ovsDatapath = defineTable({
  name: 'ovs_datapath',
  doc: 'OVS datapath lookups, hits, misses, lost, ratio and per-tier counters per sample',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'sample time', { codec: TS, orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)'),
    col('datapath', 'LowCardinality', 'datapath name (ovs-netdev, ovs-system)', { orderBy: 1 }),
    col('dp_type', 'LowCardinality', 'netdev (userspace) or system (kernel)'),
    col('lookups_hit', 'UInt64', 'lookups: hit (cumulative)', { codec: CNT }),
    col('lookups_missed', 'UInt64', 'lookups: missed (cumulative)', { codec: CNT }),
    col('lookups_lost', 'UInt64', 'lookups: lost (cumulative)', { codec: CNT }),
    col('flows', 'UInt64', 'megaflows installed'),
    col('masks_hit', 'UInt64', 'masks: hit (cumulative)', { codec: CNT }),
    col('masks_total', 'UInt64', 'masks in use'),
    col('hit_ratio', 'Float64', 'hits / (hits + misses) over the interval (NaN: no lookup)'),
    col('emc_hits', 'UInt64', 'userspace: exact-match cache hits', { codec: CNT }),
    col('smc_hits', 'UInt64', 'userspace: signature-match cache hits', { codec: CNT }),
    col('megaflow_hits', 'UInt64', 'userspace: megaflow (dpcls) hits', { codec: CNT }),
    col('upcalls', 'UInt64', 'userspace: upcalls handled (slow path)', { codec: CNT }),
    col('upcalls_failed', 'UInt64', 'userspace: failed upcalls (lost)', { codec: CNT }),
    col('counter_resets', 'UInt32', 'counter resets detected since start'),
  ],
});

/** Open vSwitch port statistics per sample (cumulative). */
export const ovsPorts = defineTable({
  name: 'ovs_ports',
  doc: 'OVS port counters per sample',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'sample time', { codec: TS, orderBy: 3 }),
    col('collector', 'LowCardinality', 'collector (host)'),
    col('bridge', 'LowCardinality', 'bridge', { orderBy: 1 }),
    col('port', 'LowCardinality', 'port name', { orderBy: 2 }),
    col('interface', 'LowCardinality', 'interface name'),
    col('ofport', 'UInt32', 'OpenFlow port number'),
    col('iface_type', 'LowCardinality', "OVS interface type ('' system, internal, tap, dpdk …)"),
    col('external_ids', 'String', 'external_ids as JSON (VM or container of the port)'),
    col('rx_packets', 'UInt64', 'received packets', { codec: CNT }),
    col('rx_bytes', 'UInt64', 'received bytes', { codec: CNT }),
    col('rx_dropped', 'UInt64', 'receive drops', { codec: CNT }),
    col('rx_errors', 'UInt64', 'receive errors', { codec: CNT }),
    col('tx_packets', 'UInt64', 'sent packets', { codec: CNT }),
    col('tx_bytes', 'UInt64', 'sent bytes', { codec: CNT }),
    col('tx_dropped', 'UInt64', 'transmit drops', { codec: CNT }),
    col('tx_errors', 'UInt64', 'transmit errors', { codec: CNT }),
  ],
});

/** The top-N megaflows of a datapath per interval. */
export const ovsMegaflows = defineTable({
  name: 'ovs_megaflows',
  doc: 'top-N OVS megaflows per interval',
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'sample time', { codec: TS, orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)'),
    col('datapath', 'LowCardinality', 'datapath', { orderBy: 1 }),
    col('rank', 'UInt32', '1 = most packets in the interval', { orderBy: 3 }),
    col('ufid', 'String', 'megaflow id'),
    col('match', 'String', 'match fields and masks', { codec: 'ZSTD(3)' }),
    col('actions', 'String', 'actions', { codec: 'ZSTD(3)' }),
    col('packets', 'UInt64', 'packets (cumulative)'),
    col('bytes', 'UInt64', 'bytes (cumulative)'),
    col('packets_delta', 'UInt64', 'packets in the interval'),
    col('used_ms', 'UInt64', 'ms since last used'),
  ],
});
