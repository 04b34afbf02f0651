-- Frozen schema state after migration 0019 (modify-merge-selector-30); {db} is the database.

CREATE DATABASE IF NOT EXISTS `{db}`;

CREATE TABLE {db}.alerts
(
    `ts` DateTime64(9, 'UTC') COMMENT 'time of the state change',
    `collector` LowCardinality(String) COMMENT 'collector (host) or api instance',
    `alert_id` String COMMENT 'identity of one alert across its states',
    `rule` LowCardinality(String) COMMENT 'detector / rule name',
    `state` Enum8('pending' = 1, 'firing' = 2, 'resolved' = 3) COMMENT 'state entered',
    `severity` LowCardinality(String) COMMENT 'info, warning, critical',
    `iface` LowCardinality(String) COMMENT 'interface concerned (\'\' none)',
    `src_ip` IPv6 COMMENT 'address concerned (:: none)',
    `dst_ip` IPv6 COMMENT 'peer address concerned (:: none)',
    `value` Float64 COMMENT 'observed value',
    `threshold` Float64 COMMENT 'threshold or baseline',
    `summary` String COMMENT 'human-readable text',
    `labels` String COMMENT 'labels as JSON'
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (rule, ts)
TTL toDateTime(ts) + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'alert state changes';

CREATE TABLE {db}.collector_health
(
    `ts` DateTime64(9, 'UTC') COMMENT 'sample time',
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `started` DateTime64(9, 'UTC') COMMENT 'collector start time',
    `kernel_drops` UInt64 COMMENT 'capture drops in the kernel, all interfaces' CODEC(T64, ZSTD(1)),
    `iface_drops` UInt64 COMMENT 'capture drops by interfaces, all interfaces' CODEC(T64, ZSTD(1)),
    `malformed` UInt64 COMMENT 'malformed frames' CODEC(T64, ZSTD(1)),
    `flow_evictions` UInt64 COMMENT 'flows evicted from full flow tables' CODEC(T64, ZSTD(1)),
    `rows_written` UInt64 COMMENT 'rows confirmed written, all tables' CODEC(T64, ZSTD(1)),
    `insert_errors` UInt64 COMMENT 'failed insert attempts' CODEC(T64, ZSTD(1)),
    `insert_retries` UInt64 COMMENT 'insert retries' CODEC(T64, ZSTD(1)),
    `backpressure_waits` UInt64 COMMENT 'times a producer had to wait for a writer' CODEC(T64, ZSTD(1)),
    `spool_bytes` UInt64 COMMENT 'bytes in the disk spool now',
    `spool_batches` UInt64 COMMENT 'batches in the disk spool now',
    `spool_dropped_batches` UInt64 COMMENT 'batches dropped because the spool was full' CODEC(T64, ZSTD(1)),
    `spool_dropped_rows` UInt64 COMMENT 'rows dropped because the spool was full' CODEC(T64, ZSTD(1)),
    `batches_rejected` UInt64 COMMENT 'batches the database refused as invalid (kept in spool/rejected)' CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (collector, ts)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'each collector\'s loss accounting (cumulative since start)';

CREATE TABLE {db}.flows
(
    `ts` DateTime64(9, 'UTC') COMMENT 'time of the record (end of its interval)' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host) that wrote the record',
    `record_type` Enum8('interim' = 1, 'final' = 2) COMMENT 'interim: flow still active; final: flow ended',
    `flow_id` UInt64 COMMENT 'flow identity, stable across the interim records of one flow',
    `iface` LowCardinality(String) COMMENT 'interface the flow was seen on',
    `vlan` UInt16 COMMENT 'outer VLAN id (0: none)',
    `tunnel_type` LowCardinality(String) COMMENT 'tunnel around the flow (\'\' none, vxlan, geneve, gre)',
    `tunnel_id` UInt32 COMMENT 'VNI / key of the tunnel (0: none)',
    `proto` UInt8 COMMENT 'IP protocol number',
    `ether_type` UInt16 COMMENT 'EtherType of a flow that is not IP (ARP, LLDP…; 0 for IPv4 and IPv6)',
    `src_ip` IPv6 COMMENT 'initiator address (IPv4 v4-mapped)',
    `src_port` UInt16 COMMENT 'initiator port (0: none)',
    `dst_ip` IPv6 COMMENT 'responder address (IPv4 v4-mapped)',
    `dst_port` UInt16 COMMENT 'responder port (0: none)',
    `src_mac` UInt64 COMMENT 'initiator MAC as a 48-bit number',
    `dst_mac` UInt64 COMMENT 'responder MAC as a 48-bit number',
    `packets_fwd` UInt64 COMMENT 'packets initiator → responder, flow total' CODEC(T64, ZSTD(1)),
    `bytes_fwd` UInt64 COMMENT 'bytes initiator → responder, flow total' CODEC(T64, ZSTD(1)),
    `packets_rev` UInt64 COMMENT 'packets responder → initiator, flow total' CODEC(T64, ZSTD(1)),
    `bytes_rev` UInt64 COMMENT 'bytes responder → initiator, flow total' CODEC(T64, ZSTD(1)),
    `packets_delta_fwd` UInt64 COMMENT 'packets initiator → responder in this interval' CODEC(T64, ZSTD(1)),
    `bytes_delta_fwd` UInt64 COMMENT 'bytes initiator → responder in this interval' CODEC(T64, ZSTD(1)),
    `packets_delta_rev` UInt64 COMMENT 'packets responder → initiator in this interval' CODEC(T64, ZSTD(1)),
    `bytes_delta_rev` UInt64 COMMENT 'bytes responder → initiator in this interval' CODEC(T64, ZSTD(1)),
    `first_ts` DateTime64(9, 'UTC') COMMENT 'first packet of the flow' CODEC(DoubleDelta, ZSTD(1)),
    `last_ts` DateTime64(9, 'UTC') COMMENT 'last packet of the flow so far' CODEC(DoubleDelta, ZSTD(1)),
    `tcp_flags_fwd` UInt16 COMMENT 'OR of TCP flags initiator → responder',
    `tcp_flags_rev` UInt16 COMMENT 'OR of TCP flags responder → initiator',
    `rtt_us` UInt32 COMMENT 'TCP handshake round-trip time, µs (0: unknown)',
    `retransmits` UInt32 COMMENT 'TCP retransmissions seen',
    `end_reason` LowCardinality(String) COMMENT 'why the flow ended (\'\' for interim: idle, active, fin, rst, evicted, shutdown)'
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (iface, ts, proto, src_ip, dst_ip)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000, merge_selector_base = 30, min_rows_for_wide_part = 250000
COMMENT 'interim and final flow records';

CREATE TABLE {db}.flows_1h
(
    `ts` DateTime('UTC') COMMENT 'start of the bucket',
    `iface` LowCardinality(String) COMMENT 'interface',
    `proto` UInt8 COMMENT 'IP protocol',
    `src_ip` IPv6 COMMENT 'initiator',
    `dst_ip` IPv6 COMMENT 'responder',
    `vlan` UInt16 COMMENT 'VLAN',
    `collector` LowCardinality(String) COMMENT 'collector',
    `packets` SimpleAggregateFunction(sum, UInt64) COMMENT 'packets, both directions',
    `bytes` SimpleAggregateFunction(sum, UInt64) COMMENT 'bytes, both directions',
    `flows` SimpleAggregateFunction(sum, UInt64) COMMENT 'flows that ended in the bucket'
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(ts)
ORDER BY (iface, ts, proto, src_ip, dst_ip, vlan, collector)
TTL ts + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000, merge_selector_base = 30, min_rows_for_wide_part = 100000000
COMMENT 'flows per interface, protocol and talker pair per hour';

CREATE TABLE {db}.flows_1m
(
    `ts` DateTime('UTC') COMMENT 'start of the bucket',
    `iface` LowCardinality(String) COMMENT 'interface',
    `proto` UInt8 COMMENT 'IP protocol',
    `src_ip` IPv6 COMMENT 'initiator',
    `dst_ip` IPv6 COMMENT 'responder',
    `vlan` UInt16 COMMENT 'VLAN',
    `collector` LowCardinality(String) COMMENT 'collector',
    `packets` SimpleAggregateFunction(sum, UInt64) COMMENT 'packets, both directions',
    `bytes` SimpleAggregateFunction(sum, UInt64) COMMENT 'bytes, both directions',
    `flows` SimpleAggregateFunction(sum, UInt64) COMMENT 'flows that ended in the bucket'
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(ts)
ORDER BY (iface, ts, proto, src_ip, dst_ip, vlan, collector)
TTL ts + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000, merge_selector_base = 30, min_rows_for_wide_part = 100000000
COMMENT 'flows per interface, protocol and talker pair per minute';

CREATE TABLE {db}.frames
(
    `ts` DateTime64(9, 'UTC') COMMENT 'capture timestamp' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `iface` LowCardinality(String) COMMENT 'interface',
    `direction` Enum8('unknown' = 1, 'in' = 2, 'out' = 3) COMMENT 'direction relative to the interface',
    `rx_mode` Enum8('unicast' = 1, 'broadcast' = 2, 'multicast' = 3, 'promisc' = 4, 'outgoing' = 5, 'unknown' = 6) COMMENT 'NIC receive mode that accepts the frame (outgoing: sent by this host)',
    `sample_rate` UInt32 COMMENT 'this frame stands for N frames',
    `wire_len` UInt32 COMMENT 'frame length on the wire',
    `cap_len` UInt32 COMMENT 'bytes captured',
    `src_mac` UInt64 COMMENT 'source MAC as a 48-bit number',
    `dst_mac` UInt64 COMMENT 'destination MAC as a 48-bit number',
    `vlan` UInt16 COMMENT 'outer VLAN id (0: none)',
    `ethertype` UInt16 COMMENT 'innermost EtherType',
    `tunnel_type` LowCardinality(String) COMMENT 'tunnel (\'\' none)',
    `tunnel_id` UInt32 COMMENT 'VNI / key (0: none)',
    `proto` UInt8 COMMENT 'IP protocol (0: not IP)',
    `src_ip` IPv6 COMMENT 'source address (IPv4 v4-mapped)',
    `dst_ip` IPv6 COMMENT 'destination address (IPv4 v4-mapped)',
    `src_port` UInt16 COMMENT 'source port',
    `dst_port` UInt16 COMMENT 'destination port',
    `tcp_flags` UInt16 COMMENT 'TCP flags',
    `malformed` LowCardinality(String) COMMENT 'decoder anomaly (\'\' none)',
    `summary` String COMMENT 'one-line text summary' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (iface, ts)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'sampled decoded frame summaries';

CREATE TABLE {db}.interface_counters
(
    `ts` DateTime64(9, 'UTC') COMMENT 'sample time' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `iface` LowCardinality(String) COMMENT 'interface',
    `netns` LowCardinality(String) COMMENT 'network namespace (\'\' root)',
    `ifindex` UInt32 COMMENT 'interface index',
    `rx_packets` UInt64 COMMENT 'kernel: packets received' CODEC(T64, ZSTD(1)),
    `rx_bytes` UInt64 COMMENT 'kernel: bytes received' CODEC(T64, ZSTD(1)),
    `tx_packets` UInt64 COMMENT 'kernel: packets sent' CODEC(T64, ZSTD(1)),
    `tx_bytes` UInt64 COMMENT 'kernel: bytes sent' CODEC(T64, ZSTD(1)),
    `rx_errors` UInt64 COMMENT 'kernel: receive errors' CODEC(T64, ZSTD(1)),
    `tx_errors` UInt64 COMMENT 'kernel: transmit errors' CODEC(T64, ZSTD(1)),
    `rx_dropped` UInt64 COMMENT 'dropped by the kernel stack on receive' CODEC(T64, ZSTD(1)),
    `tx_dropped` UInt64 COMMENT 'dropped by the kernel stack on transmit' CODEC(T64, ZSTD(1)),
    `rx_missed` UInt64 COMMENT 'dropped by the NIC (missed, fifo)' CODEC(T64, ZSTD(1)),
    `capture_received` UInt64 COMMENT 'capture: packets received by the filter (pcap recv)' CODEC(T64, ZSTD(1)),
    `capture_dropped_kernel` UInt64 COMMENT 'capture: dropped in the kernel capture buffer (pcap drop)' CODEC(T64, ZSTD(1)),
    `capture_dropped_iface` UInt64 COMMENT 'capture: dropped by the interface/driver (pcap ifdrop)' CODEC(T64, ZSTD(1)),
    `capture_dropped_app` UInt64 COMMENT 'capture: dropped in the collector (queue full)' CODEC(T64, ZSTD(1)),
    `malformed` UInt64 COMMENT 'frames the decoder flagged as malformed' CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (iface, ts)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'kernel and capture counters per interface per interval (cumulative)';

CREATE TABLE {db}.inventory
(
    `ts` DateTime64(9, 'UTC') COMMENT 'snapshot time',
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `snapshot_id` UInt64 COMMENT 'id shared by the rows of one snapshot',
    `netns` LowCardinality(String) COMMENT 'network namespace (\'\' root)',
    `iface` LowCardinality(String) COMMENT 'interface name',
    `ifindex` UInt32 COMMENT 'interface index',
    `kind` LowCardinality(String) COMMENT 'physical, bridge, veth, tap, tun, vlan, vxlan, openvswitch …',
    `driver` LowCardinality(String) COMMENT 'driver (e1000, virtio_net, vmxnet3, veth …)',
    `mac` UInt64 COMMENT 'MAC as a 48-bit number',
    `mtu` UInt32 COMMENT 'MTU',
    `oper_state` LowCardinality(String) COMMENT 'up, down, unknown …',
    `master` LowCardinality(String) COMMENT 'bridge or bond it is enslaved to (\'\' none)',
    `peer` LowCardinality(String) COMMENT 'veth peer name (\'\' none)',
    `peer_netns` LowCardinality(String) COMMENT 'namespace of the veth peer',
    `ovs_bridge` LowCardinality(String) COMMENT 'OVS bridge of the port (\'\' none)',
    `owner` String COMMENT 'VM / container / process holding the device',
    `addresses` String COMMENT 'addresses, comma-separated CIDRs'
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (collector, ts, iface)
TTL toDateTime(ts) + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'interface inventory snapshots (on change)';

CREATE TABLE {db}.ovs_datapath
(
    `ts` DateTime64(9, 'UTC') COMMENT 'sample time' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `datapath` LowCardinality(String) COMMENT 'datapath name (ovs-netdev, ovs-system)',
    `dp_type` LowCardinality(String) COMMENT 'netdev (userspace) or system (kernel)',
    `lookups_hit` UInt64 COMMENT 'lookups: hit (cumulative)' CODEC(T64, ZSTD(1)),
    `lookups_missed` UInt64 COMMENT 'lookups: missed (cumulative)' CODEC(T64, ZSTD(1)),
    `lookups_lost` UInt64 COMMENT 'lookups: lost (cumulative)' CODEC(T64, ZSTD(1)),
    `flows` UInt64 COMMENT 'megaflows installed',
    `masks_hit` UInt64 COMMENT 'masks: hit (cumulative)' CODEC(T64, ZSTD(1)),
    `masks_total` UInt64 COMMENT 'masks in use',
    `hit_ratio` Float64 COMMENT 'hits / (hits + misses) over the interval (NaN: no lookup)',
    `emc_hits` UInt64 COMMENT 'userspace: exact-match cache hits' CODEC(T64, ZSTD(1)),
    `smc_hits` UInt64 COMMENT 'userspace: signature-match cache hits' CODEC(T64, ZSTD(1)),
    `megaflow_hits` UInt64 COMMENT 'userspace: megaflow (dpcls) hits' CODEC(T64, ZSTD(1)),
    `upcalls` UInt64 COMMENT 'userspace: upcalls handled (slow path)' CODEC(T64, ZSTD(1)),
    `upcalls_failed` UInt64 COMMENT 'userspace: failed upcalls (lost)' CODEC(T64, ZSTD(1)),
    `counter_resets` UInt32 COMMENT 'counter resets detected since start'
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (datapath, ts)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'OVS datapath lookups, hits, misses, lost, ratio and per-tier counters per sample';

CREATE TABLE {db}.ovs_megaflows
(
    `ts` DateTime64(9, 'UTC') COMMENT 'sample time' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `datapath` LowCardinality(String) COMMENT 'datapath',
    `rank` UInt32 COMMENT '1 = most packets in the interval',
    `ufid` String COMMENT 'megaflow id',
    `match` String COMMENT 'match fields and masks' CODEC(ZSTD(3)),
    `actions` String COMMENT 'actions' CODEC(ZSTD(3)),
    `packets` UInt64 COMMENT 'packets (cumulative)',
    `bytes` UInt64 COMMENT 'bytes (cumulative)',
    `packets_delta` UInt64 COMMENT 'packets in the interval',
    `used_ms` UInt64 COMMENT 'ms since last used'
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (datapath, ts, rank)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'top-N OVS megaflows per interval';

CREATE TABLE {db}.ovs_ports
(
    `ts` DateTime64(9, 'UTC') COMMENT 'sample time' CODEC(DoubleDelta, ZSTD(1)),
    `collector` LowCardinality(String) COMMENT 'collector (host)',
    `bridge` LowCardinality(String) COMMENT 'bridge',
    `port` LowCardinality(String) COMMENT 'port name',
    `interface` LowCardinality(String) COMMENT 'interface name',
    `ofport` UInt32 COMMENT 'OpenFlow port number',
    `iface_type` LowCardinality(String) COMMENT 'OVS interface type (\'\' system, internal, tap, dpdk …)',
    `external_ids` String COMMENT 'external_ids as JSON (VM or container of the port)',
    `rx_packets` UInt64 COMMENT 'received packets' CODEC(T64, ZSTD(1)),
    `rx_bytes` UInt64 COMMENT 'received bytes' CODEC(T64, ZSTD(1)),
    `rx_dropped` UInt64 COMMENT 'receive drops' CODEC(T64, ZSTD(1)),
    `rx_errors` UInt64 COMMENT 'receive errors' CODEC(T64, ZSTD(1)),
    `tx_packets` UInt64 COMMENT 'sent packets' CODEC(T64, ZSTD(1)),
    `tx_bytes` UInt64 COMMENT 'sent bytes' CODEC(T64, ZSTD(1)),
    `tx_dropped` UInt64 COMMENT 'transmit drops' CODEC(T64, ZSTD(1)),
    `tx_errors` UInt64 COMMENT 'transmit errors' CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (bridge, port, ts)
TTL toDateTime(ts) + toIntervalDay(7)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'OVS port counters per sample';

CREATE TABLE {db}.schema_migrations
(
    `version` UInt32,
    `name` String,
    `collector` String,
    `ts` DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (version, ts)
SETTINGS index_granularity = 8192;

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (1, 'create-flows', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (2, 'create-frames', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (3, 'create-interface-counters', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (4, 'create-ovs-datapath', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (5, 'create-ovs-ports', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (6, 'create-ovs-megaflows', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (7, 'create-inventory', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (8, 'create-collector-health', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (9, 'create-alerts', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (10, 'create-flows-1m', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (11, 'create-flows-1h', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (13, 'drop-rollup-views', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (14, 'modify-merge-selector', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (15, 'convert-rollup-engine', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (16, 'modify-wide-part-rows', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (17, 'modify-rollup-part-format', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (18, 'add-flows-ether-type', 'state', now64(3));

INSERT INTO `{db}`.schema_migrations (version, name, collector, ts) VALUES (19, 'modify-merge-selector-30', 'state', now64(3));
