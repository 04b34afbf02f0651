import { col } from './column.js';
import { defineTable } from './table.js';

function rollup(name: string, doc: string) {
  return defineTable({
    name,
    doc,
    timeColumn: 'ts',
    ttl: 'rollup',
    engine: 'AggregatingMergeTree',
    columns: [
      col('ts', 'DateTime', 'start of the bucket', { orderBy: 2 }),
      col('iface', 'LowCardinality', 'interface', { orderBy: 1 }),
      col('proto', 'UInt8', 'IP protocol', { orderBy: 3 }),
      col('src_ip', 'IPv6', 'initiator', { orderBy: 4 }),
      col('dst_ip', 'IPv6', 'responder', { orderBy: 5 }),
      col('vlan', 'UInt16', 'VLAN', { orderBy: 6 }),
      col('collector', 'LowCardinality', 'collector', { orderBy: 7 }),
      col('packets', 'UInt64', 'packets, both directions', { sum: true }),
      col('bytes', 'UInt64', 'bytes, both directions', { sum: true }),
      col('flows', 'UInt64', 'flows that ended in the bucket', { sum: true }),
    ],
  });
}

/**
 * Flows per interface, protocol and talker pair, per minute and per hour (written with each flows
 * batch: rows/flow-rollups.ts).
 */
export const flows1m = rollup('flows_1m', 'flows per interface, protocol and talker pair per minute');
export const flows1h = rollup('flows_1h', 'flows per interface, protocol and talker pair per hour');
