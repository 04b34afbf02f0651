/**
 * Applies the migrations at start-up. Safe when several collectors start at once: every statement
 * is IF NOT EXISTS, so a race ends with the same schema whoever wins; each start records what it
 * applied in `schema_migrations`.
 */
import { randomUUID } from 'node:crypto';
import { type ClickHouse } from '../clickhouse/clickhouse.js';
import { createDatabaseDdl, type DdlOptions } from '../schema/ddl.js';
import { lit, makeContext, type Migration } from './migration.js';

export interface MigrationReport {
  /** `NNNN-name` of each step that changed something. */
  applied: string[];
  skipped: number;
  /** Highest version known to this code. */
  version: number;
}

export function migrationId(m: Migration): string {
  return `${String(m.version).padStart(4, '0')}-${m.name}`;
}

export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration list has a gap or is out of order at ${migrationId(m)} (expected version ${i + 1})`);
  });
}

export function schemaMigrationsDdl(o: DdlOptions): string {
  const on = o.cluster ? ` ON CLUSTER \`${o.cluster}\`` : '';
  const engine = o.cluster
    ? `ReplicatedMergeTree('/clickhouse/tables/{shard}/${o.database}/schema_migrations', '{replica}')`
    : 'MergeTree';
  return [
    `CREATE TABLE IF NOT EXISTS \`${o.database}\`.\`schema_migrations\`${on}`,
    "(`version` UInt32, `name` String, `collector` String, `ts` DateTime64(3, 'UTC'))",
    `ENGINE = ${engine}`,
    'ORDER BY (version, ts)',
  ].join('\n');
}

export async function migrate(
  ch: ClickHouse,
  ddl: DdlOptions,
  opts: { collector: string; migrations: readonly Migration[] },
): Promise<MigrationReport> {
  checkMigrationList(opts.migrations);
  await ch.command(createDatabaseDdl(ddl));
  await ch.command(schemaMigrationsDdl(ddl));
  const ctx = makeContext(ch, ddl);
  const report: MigrationReport = { applied: [], skipped: 0, version: opts.migrations.length };
  for (const m of opts.migrations) {
    const r = await m.up(ctx);
    if (r === 'skipped') {
      report.skipped++;
      continue;
    }
    report.applied.push(migrationId(m));
    await ch.commandAlone(
      `INSERT INTO \`${ddl.database}\`.\`schema_migrations\` (version, name, collector, ts) VALUES (${m.version}, ${lit(m.name)}, ${lit(opts.collector)}, now64(3))`,
      // A fresh token (two collectors may record the same step), on a session of its own in chDB.
      { insert_deduplication_token: randomUUID() },
    );
  }
  return report;
}
