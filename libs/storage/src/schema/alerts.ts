import { col, enumCol } from './column.js';
import { defineTable } from './table.js';

/** Alert state changes (pending, firing, resolved) written by the alerting sink. */
export const alerts = defineTable({
  name: 'alerts',
  doc: 'alert state changes',
  timeColumn: 'ts',
  ttl: 'rollup',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'time of the state change', { orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host) or api instance'),
    col('alert_id', 'String', 'identity of one alert across its states'),
    col('rule', 'LowCardinality', 'detector / rule name', { orderBy: 1 }),
    enumCol('state', ['pending', 'firing', 'resolved'] as const, 'state entered'),
    col('severity', 'LowCardinality', 'info, warning, critical'),
    col('iface', 'LowCardinality', "interface concerned ('' none)"),
    col('src_ip', 'IPv6', 'address concerned (:: none)'),
    col('dst_ip', 'IPv6', 'peer address concerned (:: none)'),
    col('value', 'Float64', 'observed value'),
    col('threshold', 'Float64', 'threshold or baseline'),
    col('summary', 'String', 'human-readable text'),
    col('labels', 'String', 'labels as JSON'),
  ],
});
