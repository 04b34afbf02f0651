/**
 * A migration step converges: it looks at system.tables / system.columns, does what is missing and
 * returns 'applied', or finds nothing to do and returns 'skipped'. Every step runs at every start,
 * so a database that drifted (a table dropped by hand) is repaired, and a second run applies 0.
 */
import { type ClickHouse } from '../clickhouse/clickhouse.js';
import { localName, tableStatements, type DdlOptions } from '../schema/ddl.js';
import { type TableDef } from '../schema/table.js';

export type StepResult = 'applied' | 'skipped';

export interface MigrationContext {
  readonly ch: ClickHouse;
  readonly ddl: DdlOptions;
  tableExists(name: string): Promise<boolean>;
  columnExists(table: string, column: string): Promise<boolean>;
  /** The table's engine (system.tables), or undefined when it does not exist. */
  engine(table: string): Promise<string | undefined>;
  /** The table's CREATE statement as the server normalised it, or undefined when it does not exist. */
  createQuery(table: string): Promise<string | undefined>;
  /** Runs DDL (already carrying ON CLUSTER when needed). */
  exec(sql: string): Promise<void>;
}

export interface Migration {
  readonly version: number;
  /** `<verb>-<object>`, as in the file name. */
  readonly name: string;
  up(ctx: MigrationContext): Promise<StepResult>;
}

export const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function makeContext(ch: ClickHouse, ddl: DdlOptions): MigrationContext {
  return {
    ch,
    ddl,
    async tableExists(name) {
      const r = await ch.query<{ n: string | number }>(
        `SELECT count() AS n FROM system.tables WHERE database = ${lit(ddl.database)} AND name = ${lit(name)}`,
        `looking for table ${name}`,
      );
      return Number(r[0]?.n ?? 0) > 0;
    },
    async columnExists(table, column) {
      const r = await ch.query<{ n: string | number }>(
        `SELECT count() AS n FROM system.columns WHERE database = ${lit(ddl.database)} AND table = ${lit(table)} AND name = ${lit(column)}`,
        `looking for column ${table}.${column}`,
      );
      return Number(r[0]?.n ?? 0) > 0;
    },
    async engine(table) {
      const r = await ch.query<{ e: string }>(
        `SELECT engine AS e FROM system.tables WHERE database = ${lit(ddl.database)} AND name = ${lit(table)}`,
        `reading the engine of ${table}`,
      );
      return r[0]?.e;
    },
    async createQuery(table) {
      const r = await ch.query<{ q: string }>(
        `SELECT create_table_query AS q FROM system.tables WHERE database = ${lit(ddl.database)} AND name = ${lit(table)}`,
        `reading the definition of ${table}`,
      );
      return r[0]?.q;
    },
    exec: (sql) => ch.command(sql),
  };
}

/** A step that creates a table (and in cluster mode its Distributed table) when missing. */
export function createTableStep(version: number, name: string, t: TableDef): Migration {
  return {
    version,
    name,
    async up(ctx) {
      const names = ctx.ddl.cluster ? [localName(t, ctx.ddl), t.name] : [t.name];
      const stmts = tableStatements(t, ctx.ddl);
      let applied = false;
      for (let i = 0; i < names.length; i++) {
        if (await ctx.tableExists(names[i]!)) continue;
        await ctx.exec(stmts[i]!);
        applied = true;
      }
      return applied ? 'applied' : 'skipped';
    },
  };
}
