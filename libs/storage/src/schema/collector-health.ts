import { col } from './column.js';
import { defineTable } from './table.js';

const CNT = 'T64, ZSTD(1)';

/** Each collector's own loss accounting, cumulative since its start. */
export const collectorHealth = defineTable({
  name: 'collector_health',
  doc: "each collector's loss accounting (cumulative since start)",
  timeColumn: 'ts',
  ttl: 'raw',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'sample time', { orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)', { orderBy: 1 }),
    col('started', 'DateTime64', 'collector start time'),
    col('kernel_drops', 'UInt64', 'capture drops in the kernel, all interfaces', { codec: CNT }),
    col('iface_drops', 'UInt64', 'capture drops by interfaces, all interfaces', { codec: CNT }),
    col('malformed', 'UInt64', 'malformed frames', { codec: CNT }),
    col('flow_evictions', 'UInt64', 'flows evicted from full flow tables', { codec: CNT }),
    col('rows_written', 'UInt64', 'rows confirmed written, all tables', { codec: CNT }),
    col('insert_errors', 'UInt64', 'failed insert attempts', { codec: CNT }),
    col('insert_retries', 'UInt64', 'insert retries', { codec: CNT }),
    col('backpressure_waits', 'UInt64', 'times a producer had to wait for a writer', { codec: CNT }),
    col('spool_bytes', 'UInt64', 'bytes in the disk spool now'),
    col('spool_batches', 'UInt64', 'batches in the disk spool now'),
    col('spool_dropped_batches', 'UInt64', 'batches dropped because the spool was full', { codec: CNT }),
    col('spool_dropped_rows', 'UInt64', 'rows dropped because the spool was full', { codec: CNT }),
    col('batches_rejected', 'UInt64', 'batches the database refused as invalid (kept in spool/rejected)', {
      codec: CNT,
    }),
  ],
});
