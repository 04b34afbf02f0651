/**
 * A table declaration: its columns (each declared once), its partition, ORDER BY, TTL class and
 * engine settings. `RowOf<typeof table>` is the row type producers fill; DDL comes from ddl.ts.
 */
import { type ColumnDef, type Kind, type KindMap } from './column.js';

export type TtlClass = 'raw' | 'rollup' | 'none';

export interface TableDef<C extends readonly ColumnDef[] = readonly ColumnDef[]> {
  readonly name: string;
  readonly doc: string;
  readonly columns: C;
  /** The DateTime64/DateTime column that partitions (by day) and drives the TTL. */
  readonly timeColumn: C[number]['name'];
  readonly ttl: TtlClass;
  /** MergeTree family of this table (rollups: AggregatingMergeTree over `sum` columns). */
  readonly engine: 'MergeTree' | 'AggregatingMergeTree';
}

export type ValueOf<D> =
  D extends ColumnDef<string, infer K extends Kind>
    ? D extends { values: readonly (infer V extends string)[] }
      ? V
      : KindMap[K]
    : never;

/** The row type of a table: one property per column, named as the column. */
export type RowOf<T extends TableDef> = {
  [D in T['columns'][number] as D['name']]: ValueOf<D>;
};

export function defineTable<const C extends readonly ColumnDef[]>(def: TableDef<C>): TableDef<C> {
  const names = new Set<string>();
  for (const c of def.columns) {
    if (names.has(c.name)) throw new Error(`table ${def.name}: column ${c.name} declared twice`);
    names.add(c.name);
  }
  if (!names.has(def.timeColumn)) throw new Error(`table ${def.name}: time column ${def.timeColumn} is not a column`);
  const order = def.columns.filter((c) => c.orderBy !== undefined).map((c) => c.orderBy!);
  order.sort((a, b) => a - b);
  order.forEach((p, i) => {
    if (p !== i + 1) throw new Error(`table ${def.name}: ORDER BY positions must be 1..n without gaps`);
  });
  return def;
}

/** Columns in ORDER BY order. */
export function orderByColumns(t: TableDef): string[] {
  return t.columns
    .filter((c) => c.orderBy !== undefined)
    .sort((a, b) => a.orderBy! - b.orderBy!)
    .map((c) => c.name);
}

/** Insert column order = declaration order. */
export function insertColumns(t: TableDef): string[] {
  return t.columns.map((c) => c.name);
}
