/**
 * @nicscope/storage — ClickHouse (embedded chDB or a server over HTTP): schema and migrations, the
 * connection adapter, one batch writer per table, and the disk spool. See docs/storage.md.
 */
export * from './schema/index.js';
export * from './schema/ddl.js';
export { ClickHouse, type ClickHouseOptions } from './clickhouse/clickhouse.js';
export { StorageError, classify, type StorageErrorKind } from './clickhouse/errors.js';
export {
  MIGRATIONS,
  migrate,
  migrationId,
  checkMigrationList,
  type Migration,
  type MigrationReport,
  type StepResult,
} from './migrations/index.js';
export { createRowBuilder, type RowBuilder, type Setters } from './rows/builder.js';
export { writeIp, writeV4MappedTail, parseV4 } from './rows/ip.js';
export { Spool, type SpoolBatch } from './spool/spool.js';
export {
  BatchWriter,
  type DerivedBatch,
  type Deriver,
  type EncodedBatch,
  type WriterCore,
  type WriterOptions,
} from './writer/batch-writer.js';
export { FlowRollups } from './rows/flow-rollups.js';
export { RollupAggregator } from './rows/rollup.js';
export { type WriterCounters, type MetricSample } from './writer/metrics.js';
export {
  FLOWS_GROUP,
  Storage,
  type StorageConfig,
  type StorageOptions,
  type StorageLogger,
  type StorageState,
} from './storage.js';
