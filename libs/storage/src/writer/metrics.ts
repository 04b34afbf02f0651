/**
 * Plain counters of the batch writers and the spool (STYLE §18: nicscope_<app>_<component>_<what>_total).
 * `metricSamples()` lists them with their Prometheus names; registering them with prom-client is
 * the app's business.
 */
export interface WriterCounters {
  rowsWritten: number;
  batchesWritten: number;
  insertErrors: number;
  insertRetries: number;
  /** Times a producer was told to wait (finalize() returned false and drain() waited). */
  backpressureWaits: number;
  /** Full batches that went straight to the spool because an insert was still running. */
  overflowSpooled: number;
  /** Batches handed to the spool (insert failed, database not ready, or spool not yet drained). */
  spooledBatches: number;
  rejectedBatches: number;
  insertMsTotal: number;
  waitMsTotal: number;
  lastBatchRows: number;
}

export function newWriterCounters(): WriterCounters {
  return {
    rowsWritten: 0,
    batchesWritten: 0,
    insertErrors: 0,
    insertRetries: 0,
    backpressureWaits: 0,
    overflowSpooled: 0,
    spooledBatches: 0,
    rejectedBatches: 0,
    insertMsTotal: 0,
    waitMsTotal: 0,
    lastBatchRows: 0,
  };
}

export interface MetricSample {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

const PREFIX = 'nicscope_collector_storage_';

export const WRITER_METRICS: { key: keyof WriterCounters; name: string; help: string }[] = [
  { key: 'rowsWritten', name: 'rows_written_total', help: 'rows confirmed written' },
  { key: 'batchesWritten', name: 'batches_written_total', help: 'batches confirmed written' },
  { key: 'insertErrors', name: 'insert_errors_total', help: 'failed insert attempts' },
  { key: 'insertRetries', name: 'insert_retries_total', help: 'insert retries' },
  { key: 'backpressureWaits', name: 'backpressure_waits_total', help: 'times a producer had to wait for the writer' },
  {
    key: 'overflowSpooled',
    name: 'overloaded_total',
    help: 'full batches spooled because an insert was still running',
  },
  { key: 'spooledBatches', name: 'spooled_batches_total', help: 'batches handed to the disk spool' },
  { key: 'rejectedBatches', name: 'rejected_batches_total', help: 'batches the database refused as invalid' },
  { key: 'insertMsTotal', name: 'insert_milliseconds_total', help: 'time spent in inserts' },
  { key: 'waitMsTotal', name: 'wait_milliseconds_total', help: 'time producers waited for the writer' },
];

export function writerSamples(table: string, c: WriterCounters): MetricSample[] {
  const out = WRITER_METRICS.map((m) => ({ name: PREFIX + m.name, help: m.help, labels: { table }, value: c[m.key] }));
  out.push({
    name: `${PREFIX}rows_per_batch`,
    help: 'rows in the last batch',
    labels: { table },
    value: c.lastBatchRows,
  });
  return out;
}

export function spoolSamples(s: {
  bytes: number;
  batches: number;
  counters: { droppedBatches: number; droppedRows: number; replayedBatches: number; corruptRecords: number };
}): MetricSample[] {
  return [
    { name: `${PREFIX}spool_bytes`, help: 'bytes in the disk spool', labels: {}, value: s.bytes },
    { name: `${PREFIX}spool_batches`, help: 'batches in the disk spool', labels: {}, value: s.batches },
    {
      name: `${PREFIX}spool_dropped_batches_total`,
      help: 'batches dropped: spool full',
      labels: {},
      value: s.counters.droppedBatches,
    },
    {
      name: `${PREFIX}spool_dropped_rows_total`,
      help: 'rows dropped: spool full',
      labels: {},
      value: s.counters.droppedRows,
    },
    {
      name: `${PREFIX}spool_replayed_batches_total`,
      help: 'spooled batches replayed',
      labels: {},
      value: s.counters.replayedBatches,
    },
    {
      name: `${PREFIX}spool_corrupt_records_total`,
      help: 'spool records that failed their checksum',
      labels: {},
      value: s.counters.corruptRecords,
    },
  ];
}
