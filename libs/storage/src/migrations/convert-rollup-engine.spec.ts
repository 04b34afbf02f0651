/**
 * Migration 0015 on embedded chDB: SummingMergeTree rollups of the frozen state 0014 with rows in
 * them become AggregatingMergeTree tables holding the same sums, also when three collectors
 * migrate at once and when an earlier run stopped between its steps. No root.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouse } from '../clickhouse/clickhouse.js';
import { createTableDdl, type DdlOptions } from '../schema/ddl.js';
import { flows1h, flows1m } from '../schema/index.js';
import { insertColumns } from '../schema/table.js';
import { MIGRATIONS, migrate } from './index.js';

const STATE_0014 = join(__dirname, '..', '..', '..', '..', 'test', 'states', '0014.sql');

describe('0015-convert-rollup-engine', () => {
  let dir: string;
  let ch: ClickHouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-convert-'));
    ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 30_000, dataDir: dir });
  });
  afterAll(async () => {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ddlFor = (database: string): DdlOptions => ({ database, cluster: '', ttlRawDays: 7, ttlRollupDays: 90 });

  /** State 0014 (SummingMergeTree rollups) with rows in both rollups: 3 inserts, 2 of them for the same keys. */
  async function oldState(db: string): Promise<void> {
    await ch.command(`DROP DATABASE IF EXISTS ${db} SYNC`); // a retried test starts over
    const sql = readFileSync(STATE_0014, 'utf8').replaceAll('{db}', db);
    for (const stmt of sql.split(/;\n/)) {
      const s = stmt.replace(/^--.*$/gm, '').trim();
      if (s) await ch.command(s);
    }
    for (const t of ['flows_1m', 'flows_1h'])
      for (const [k, mult] of [
        [0, 1],
        [1, 2],
        [2, 1],
      ] as const) {
        await ch.command(
          `INSERT INTO ${db}.${t} SELECT toDateTime('2026-11-26 10:00:00') + 60 * (number % 7), 'veth${k % 2}', 6,
             toIPv6(IPv4NumToString(toUInt32(0x0ac80000 + number))), toIPv6('10.200.255.1'), 0, 'c1',
             ${mult} * number, ${mult} * number * 100, 1 FROM numbers(5000)`,
          { insert_deduplication_token: `${db}-${t}-${k}` },
        );
      }
  }

  async function sums(db: string): Promise<string> {
    const r = await ch.query<Record<string, string>>(
      `SELECT (SELECT tuple(count(), sum(packets), sum(bytes), sum(flows)) FROM (SELECT iface, ts, src_ip, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows FROM ${db}.flows_1m GROUP BY ALL)) AS m,
              (SELECT tuple(count(), sum(packets), sum(bytes), sum(flows)) FROM (SELECT iface, ts, src_ip, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows FROM ${db}.flows_1h GROUP BY ALL)) AS h`,
    );
    return JSON.stringify(r[0]);
  }

  async function tables(db: string): Promise<Record<string, string>> {
    const r = await ch.query<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = '${db}' ORDER BY name`,
    );
    return Object.fromEntries(r.map((x) => [x.name, x.engine]));
  }

  it('keeps every sum, leaves no table behind, and applies nothing on a second run', async () => {
    const db = 'conv_one';
    await oldState(db);
    const before = await sums(db);
    expect(before).toContain('10000'); // 2 ifaces × 5000 sources
    const r = await migrate(ch, ddlFor(db), { collector: 't', migrations: MIGRATIONS });
    expect(r.applied).toEqual([
      '0015-convert-rollup-engine',
      '0016-modify-wide-part-rows',
      '0017-modify-rollup-part-format',
      '0018-add-flows-ether-type',
      '0019-modify-merge-selector-30',
    ]);
    const t = await tables(db);
    expect(t.flows_1m).toBe('AggregatingMergeTree');
    expect(t.flows_1h).toBe('AggregatingMergeTree');
    expect(Object.keys(t)).toHaveLength(12);
    expect(await sums(db)).toBe(before);
    // Merged, the rows of one key are one row with the sums.
    await ch.command(`OPTIMIZE TABLE ${db}.flows_1m FINAL`);
    const rows = await ch.query<{ n: string; p: string }>(
      `SELECT count() AS n, sum(packets) AS p FROM ${db}.flows_1m WHERE iface = 'veth0'`,
    );
    expect(Number(rows[0]!.n)).toBe(5000);
    expect(Number(rows[0]!.p)).toBe((2 * (4999 * 5000)) / 2);
    expect((await migrate(ch, ddlFor(db), { collector: 't', migrations: MIGRATIONS })).applied).toEqual([]);
    // The copy's settings (one thread, its token) stayed with the copy: chDB keeps a statement's
    // settings in its session, which queries (the API's) share.
    const st = await ch.query<{ name: string; value: string }>(
      "SELECT name, value FROM system.settings WHERE name IN ('max_threads', 'insert_deduplication_token')",
    );
    expect(st.find((x) => x.name === 'max_threads')!.value).not.toBe('1');
    expect(st.find((x) => x.name === 'insert_deduplication_token')!.value).not.toMatch(/__old_/);
  });

  it('converges with the same sums when three collectors migrate at once', async () => {
    const db = 'conv_race';
    await oldState(db);
    const before = await sums(db);
    const runs = await Promise.all(
      [1, 2, 3].map((i) => migrate(ch, ddlFor(db), { collector: `c${i}`, migrations: MIGRATIONS })),
    );
    expect(runs.some((x) => x.applied.includes('0015-convert-rollup-engine'))).toBe(true);
    const t = await tables(db);
    expect(t.flows_1m).toBe('AggregatingMergeTree');
    expect(Object.keys(t)).toHaveLength(12);
    expect(await sums(db)).toBe(before);
  });

  it('finishes a run that stopped after the exchange, and one that stopped after its copy, without doubling', async () => {
    const db = 'conv_resume';
    const ddl = ddlFor(db);
    await oldState(db);
    const before = await sums(db);
    // flows_1m: stopped right after the exchange (old rows in flows_1m__old_a, not copied yet).
    await ch.command(`RENAME TABLE ${db}.flows_1m TO ${db}.flows_1m__old_a`);
    await ch.command(createTableDdl(flows1m, ddl));
    const first = await migrate(ch, ddl, { collector: 'first', migrations: MIGRATIONS });
    expect(first.applied).toContain('0015-convert-rollup-engine');
    expect(await sums(db)).toBe(before);
    expect(Object.keys(await tables(db))).toHaveLength(12);
    // flows_1h: stopped after its copy, before dropping the old table (flows_1h__old_b).
    const cols = insertColumns(flows1h).join(', ');
    await ch.command(`CREATE TABLE ${db}.flows_1h__old_b AS ${db}.flows_1h`);
    await ch.command(`INSERT INTO ${db}.flows_1h__old_b SELECT * FROM ${db}.flows_1h`);
    await ch.command(`TRUNCATE TABLE ${db}.flows_1h`);
    await ch.command(
      `INSERT INTO ${db}.flows_1h (${cols}) SELECT ${cols} FROM ${db}.flows_1h__old_b ORDER BY ${cols}`,
      {
        insert_deduplicate: 1,
        insert_deduplication_token: 'flows_1h__old_b',
        max_threads: 1,
        max_insert_threads: '1',
      },
    );
    expect(await sums(db)).toBe(before);
    const second = await migrate(ch, ddl, { collector: 'second', migrations: MIGRATIONS });
    expect(second.applied).toEqual(['0015-convert-rollup-engine']);
    expect(Object.keys(await tables(db))).toHaveLength(12);
    expect(await sums(db)).toBe(before);
  });
});
