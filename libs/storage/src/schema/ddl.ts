/**
 * DDL derived from the table declarations, for a single node or (when a cluster is named) for a
 * cluster: Replicated*MergeTree `<table>_local` tables ON CLUSTER plus a Distributed `<table>`
 * that producers insert into and the API reads from.
 */
import { type ColumnDef } from './column.js';
import { orderByColumns, type TableDef } from './table.js';

export interface DdlOptions {
  database: string;
  /** '' = single node. */
  cluster: string;
  ttlRawDays: number;
  ttlRollupDays: number;
}

/** Inserts remembered per table for deduplication of retried/replayed batches. */
export const DEDUP_WINDOW = 10_000;

const q = (id: string): string => `\`${id.replace(/`/g, '')}\``;
const str = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Name of the table that physically holds the rows (`_local` in cluster mode). */
export function localName(t: TableDef | string, o: DdlOptions): string {
  const name = typeof t === 'string' ? t : t.name;
  return o.cluster ? `${name}_local` : name;
}

/** Fully qualified name producers insert into and readers query. */
export function qualified(t: TableDef | string, o: Pick<DdlOptions, 'database'>): string {
  return `${q(o.database)}.${q(typeof t === 'string' ? t : t.name)}`;
}

function onCluster(o: DdlOptions): string {
  return o.cluster ? ` ON CLUSTER ${q(o.cluster)}` : '';
}

export function createDatabaseDdl(o: DdlOptions): string {
  return `CREATE DATABASE IF NOT EXISTS ${q(o.database)}${onCluster(o)}`;
}

function ttlDays(t: TableDef, o: DdlOptions): number | undefined {
  return t.ttl === 'raw' ? o.ttlRawDays : t.ttl === 'rollup' ? o.ttlRollupDays : undefined;
}

export function ttlClause(t: TableDef, o: DdlOptions): string | undefined {
  const days = ttlDays(t, o);
  if (days === undefined) return undefined;
  const time = t.columns.find((c) => c.name === t.timeColumn)!;
  const expr = time.kind === 'DateTime64' ? `toDateTime(${q(time.name)})` : q(time.name);
  return `${expr} + INTERVAL ${days} DAY`;
}

function engineClause(t: TableDef, o: DdlOptions): string {
  if (!o.cluster) return t.engine;
  const path = str(`/clickhouse/tables/{shard}/${o.database}/${localName(t, o)}`);
  return `Replicated${t.engine}(${path}, '{replica}')`;
}

/**
 * CREATE TABLE for the table that holds the rows (`as`: under another name, for a migration that
 * builds a table beside the one it replaces).
 */
export function createTableDdl(t: TableDef, o: DdlOptions, as?: string): string {
  const cols = t.columns.map((c) => `    ${columnDdl(c)}`);
  const time = q(t.timeColumn);
  const settings = ['index_granularity = 8192', 'ttl_only_drop_parts = 1'];
  // A replicated table deduplicates by itself (replicated_deduplication_window).
  if (!o.cluster) settings.push(`non_replicated_deduplication_window = ${DEDUP_WINDOW}`);
  const ttl = ttlClause(t, o);
  return [
    `CREATE TABLE IF NOT EXISTS ${q(o.database)}.${q(as ?? localName(t, o))}${onCluster(o)}`,
    '(',
    cols.join(',\n'),
    ')',
    `ENGINE = ${engineClause(t, o)}`,
    `PARTITION BY toDate(${time})`,
    `ORDER BY (${orderByColumns(t).map(q).join(', ')})`,
    ...(ttl ? [`TTL ${ttl}`] : []),
    `SETTINGS ${settings.join(', ')}`,
    `COMMENT ${str(t.doc)}`,
  ].join('\n');
}

/** One column as CREATE TABLE and ADD COLUMN write it: name, type, comment, codec. */
function columnDdl(c: ColumnDef): string {
  const codec = c.codec ? ` CODEC(${c.codec})` : '';
  return `${q(c.name)} ${c.chType} COMMENT ${str(c.doc)}${codec}`;
}

/**
 * ALTER TABLE … ADD COLUMN for the table's column `column` where the schema declares it (after the
 * column before it), on the table `name` (the local table, or in cluster mode also the
 * Distributed one).
 */
export function addColumnDdl(t: TableDef, column: string, name: string, o: DdlOptions): string {
  const i = t.columns.findIndex((c) => c.name === column);
  if (i < 0) throw new Error(`table ${t.name} has no column ${column}`);
  const where = i === 0 ? ' FIRST' : ` AFTER ${q(t.columns[i - 1]!.name)}`;
  return `ALTER TABLE ${q(o.database)}.${q(name)}${onCluster(o)} ADD COLUMN IF NOT EXISTS ${columnDdl(t.columns[i]!)}${where}`;
}

/** Cluster mode only: the Distributed table over the `_local` tables. */
export function createDistributedDdl(t: TableDef, o: DdlOptions): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${q(o.database)}.${q(t.name)}${onCluster(o)} AS ${q(o.database)}.${q(localName(t, o))}\n` +
    `ENGINE = Distributed(${q(o.cluster)}, ${q(o.database)}, ${q(localName(t, o))}, rand())`
  );
}

/** All statements that create a table (one, or two in cluster mode). */
export function tableStatements(t: TableDef, o: DdlOptions): string[] {
  return o.cluster ? [createTableDdl(t, o), createDistributedDdl(t, o)] : [createTableDdl(t, o)];
}

/** Name of the materialized view that filled a rollup before migration 0013 dropped it. */
export function mvName(rollup: TableDef): string {
  return `${rollup.name}_mv`;
}
