/**
 * Migrating from every frozen old schema state (test/states/NNNN.sql: the schema after migration
 * NNNN) applies exactly the later steps, and a second run applies nothing. Embedded chDB; no root.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouse, MIGRATIONS, migrate, migrationId, type DdlOptions } from '@nicscope/storage';

const STATES = join(__dirname, '..', 'states');
const files = readdirSync(STATES)
  .filter((f) => /^\d{4}\.sql$/.test(f))
  .sort();

describe('migrations from frozen states', () => {
  let dir: string;
  let ch: ClickHouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-states-'));
    ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 30_000, dataDir: dir });
  });
  afterAll(async () => {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has one frozen state per migration', () => {
    expect(files).toEqual(MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}.sql`));
  });

  for (const f of files) {
    const version = Number(f.slice(0, 4));
    it(`migrates from state ${f} by applying only the later steps, then applies 0`, async () => {
      const ddl: DdlOptions = { database: `state_${version}`, cluster: '', ttlRawDays: 7, ttlRollupDays: 90 };
      const sql = readFileSync(join(STATES, f), 'utf8').replaceAll('{db}', ddl.database);
      for (const stmt of sql.split(/;\n/)) {
        const s = stmt.replace(/^--.*$/gm, '').trim();
        if (s) await ch.command(s);
      }
      const first = await migrate(ch, ddl, { collector: 'states', migrations: MIGRATIONS });
      // drop-rollup-views has something to do only in states that have the views (0010–0012),
      // convert-rollup-engine only in states with SummingMergeTree rollups (0010–0014).
      const hadViews = version >= 10 && version < 13;
      const hadSumming = version >= 10 && version < 15;
      const later = MIGRATIONS.filter(
        (m) =>
          m.version > version &&
          m.name !== 'modify-ttl' &&
          (m.name !== 'drop-rollup-views' || hadViews) &&
          (m.name !== 'convert-rollup-engine' || hadSumming),
      ).map(migrationId);
      expect(first.applied).toEqual(later);
      const second = await migrate(ch, ddl, { collector: 'states', migrations: MIGRATIONS });
      expect(second.applied).toEqual([]);
      const n = await ch.query<{ n: string }>(
        `SELECT count() AS n FROM system.tables WHERE database = '${ddl.database}'`,
      );
      // 11 tables + schema_migrations, no materialized view
      expect(Number(n[0]!.n)).toBe(12);
    });
  }
});
