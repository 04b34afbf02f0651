import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouse } from '../clickhouse/clickhouse.js';
import { type DdlOptions } from '../schema/ddl.js';
import { MIGRATIONS, migrate, migrationId } from './index.js';

const ddl: DdlOptions = { database: 'mig_test', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 };

describe(migrate.name, () => {
  let dir: string;
  let ch: ClickHouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-mig-'));
    ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 30_000, dataDir: dir });
  });
  afterAll(async () => {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists one migration per file, numbered 0001.. without gaps, named as the file', () => {
    const files = readdirSync(__dirname)
      .filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.spec.ts'))
      .sort();
    expect(files.map((f) => f.replace(/\.ts$/, ''))).toEqual(MIGRATIONS.map(migrationId));
  });

  it('applies every step on an empty database, then 0 on a second run', async () => {
    const first = await migrate(ch, ddl, { collector: 't', migrations: MIGRATIONS });
    // Nothing to do on a new database: the TTLs, the views and the rollup engine are already as
    // configured, and create-flows made flows with ether_type.
    const nothingToDo = ['modify-ttl', 'drop-rollup-views', 'convert-rollup-engine', 'add-flows-ether-type'];
    expect(first.applied).toEqual(MIGRATIONS.filter((m) => !nothingToDo.includes(m.name)).map(migrationId));
    const second = await migrate(ch, ddl, { collector: 't', migrations: MIGRATIONS });
    expect(second.applied).toEqual([]);
    expect(second.skipped).toBe(MIGRATIONS.length);
    const rows = await ch.query<{ n: string }>('SELECT count() AS n FROM mig_test.schema_migrations');
    expect(Number(rows[0]!.n)).toBe(first.applied.length);
  });

  it('changes the TTL of raw tables when storage.ttlRawDays changes, and only then', async () => {
    const r = await migrate(ch, { ...ddl, ttlRawDays: 3 }, { collector: 't', migrations: MIGRATIONS });
    expect(r.applied).toEqual(['0012-modify-ttl']);
    const q = await ch.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = 'mig_test' AND name = 'flows'",
    );
    expect(q[0]!.q).toContain('toIntervalDay(3)');
    expect((await migrate(ch, { ...ddl, ttlRawDays: 3 }, { collector: 't', migrations: MIGRATIONS })).applied).toEqual(
      [],
    );
  });

  it('gives the flow tables merge_selector_base = 30, and restores it when changed by hand', async () => {
    const settings = async (table: string): Promise<string> =>
      (
        await ch.query<{ q: string }>(
          `SELECT create_table_query AS q FROM system.tables WHERE database = 'mig_test' AND name = '${table}'`,
        )
      )[0]!.q;
    for (const t of ['flows', 'flows_1m', 'flows_1h']) expect(await settings(t)).toContain('merge_selector_base = 30');
    expect(await settings('frames')).not.toContain('merge_selector_base');
    // 0014 leaves a table with a base alone (else it and 0019 would undo each other at every start).
    await ch.command('ALTER TABLE mig_test.flows_1h MODIFY SETTING merge_selector_base = 5');
    const r = await migrate(ch, { ...ddl, ttlRawDays: 3 }, { collector: 't', migrations: MIGRATIONS });
    expect(r.applied).toEqual(['0019-modify-merge-selector-30']);
    expect(await settings('flows_1h')).toContain('merge_selector_base = 30');
    expect((await migrate(ch, { ...ddl, ttlRawDays: 3 }, { collector: 't', migrations: MIGRATIONS })).applied).toEqual(
      [],
    );
  });

  it('keeps an insert of 150k flow rows (over 10 MB) in one compact part; without the setting it is wide', async () => {
    // The control: the same table with migration 0016's setting taken away (min_bytes_for_wide_part
    // is 10 MB, so such an insert would make a wide part).
    for (const t of ['flows_copy', 'flows_control']) {
      await ch.command(`DROP TABLE IF EXISTS mig_test.${t} SYNC`);
      await ch.command(`CREATE TABLE mig_test.${t} AS mig_test.flows`);
    }
    await ch.command('ALTER TABLE mig_test.flows_control RESET SETTING min_rows_for_wide_part');
    const part = async (table: string): Promise<string[]> => {
      await ch.command(
        `INSERT INTO mig_test.${table} (ts, iface, flow_id, src_mac, dst_mac, packets_delta_fwd, bytes_delta_fwd) ` +
          `SELECT now64(9), 'eth0', number, number * 3, number * 7, number % 100, number % 1500 FROM numbers(150000)`,
      );
      const r = await ch.query<{ t: string }>(
        `SELECT part_type AS t FROM system.parts WHERE active AND database = 'mig_test' AND table = '${table}'`,
      );
      return r.map((x) => x.t);
    };
    expect(await part('flows_copy')).toEqual(['Compact']);
    expect(await part('flows_control')).toEqual(['Wide']);
    for (const t of ['flows_copy', 'flows_control']) await ch.command(`DROP TABLE mig_test.${t} SYNC`);
  });

  it("keeps a rollup part of 300k rows compact (0017); with 0016's 250k threshold it is wide", async () => {
    for (const t of ['rollup_copy', 'rollup_control']) {
      await ch.command(`DROP TABLE IF EXISTS mig_test.${t} SYNC`);
      await ch.command(`CREATE TABLE mig_test.${t} AS mig_test.flows_1m`);
    }
    await ch.command('ALTER TABLE mig_test.rollup_control MODIFY SETTING min_rows_for_wide_part = 250000');
    const part = async (table: string): Promise<string[]> => {
      await ch.command(
        `INSERT INTO mig_test.${table} (ts, iface, src_ip, dst_ip, packets, bytes, flows) ` +
          `SELECT now(), 'eth0', toIPv6(toIPv4(167772160 + number)), toIPv6('10.200.255.1'), 1, 100, 1 FROM numbers(300000)`,
      );
      const r = await ch.query<{ t: string }>(
        `SELECT part_type AS t FROM system.parts WHERE active AND database = 'mig_test' AND table = '${table}'`,
      );
      return r.map((x) => x.t);
    };
    expect(await part('rollup_copy')).toEqual(['Compact']);
    expect(await part('rollup_control')).toEqual(['Wide']);
    for (const t of ['rollup_copy', 'rollup_control']) await ch.command(`DROP TABLE mig_test.${t} SYNC`);
  });

  it('converges when several collectors migrate the same database at once', async () => {
    const other: DdlOptions = { ...ddl, database: 'mig_race' };
    const runs = await Promise.all(
      [1, 2, 3].map((i) => migrate(ch, other, { collector: `c${i}`, migrations: MIGRATIONS })),
    );
    for (const r of runs) expect(r.applied.length + r.skipped).toBe(MIGRATIONS.length);
    const n = await ch.query<{ n: string }>("SELECT count() AS n FROM system.tables WHERE database = 'mig_race'");
    expect(Number(n[0]!.n)).toBe(12); // 11 tables + schema_migrations
    expect((await migrate(ch, other, { collector: 'c4', migrations: MIGRATIONS })).applied).toEqual([]);
  });

  it('recreates a table dropped by hand and nothing else', async () => {
    await ch.command('DROP TABLE mig_test.alerts');
    const r = await migrate(ch, { ...ddl, ttlRawDays: 3 }, { collector: 't', migrations: MIGRATIONS });
    expect(r.applied).toEqual(['0009-create-alerts']);
  });
});
