-- Frozen schema state after migration 0002 (create-frames); {db} is the database.

CREATE DATABASE IF NOT EXISTS `{db}`;

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
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
COMMENT 'interim and final flow records';

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
