/**
 * Embedded chDB runs the queries of one session one at a time; the adapter inserts through a
 * session per table, so a query (the API's, in the same process) does not wait behind an insert.
 * Each table's inserts are staged in one file, rewritten in place. Real chDB, no root.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../migrations/index.js';
import { createRowBuilder } from '../rows/builder.js';
import { flows } from '../schema/index.js';
import { insertColumns } from '../schema/table.js';
import { ClickHouse } from './clickhouse.js';

describe(ClickHouse.name, () => {
  let dir: string;
  let ch: ClickHouse;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-ch-'));
    ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 60_000, dataDir: dir });
    await migrate(
      ch,
      { database: 'iso', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 },
      { collector: 't', migrations: MIGRATIONS },
    );
  });
  afterAll(async () => {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a query while an insert of 300k rows runs (embedded: the insert has its own session)', async () => {
    const b = createRowBuilder(flows, 300_000);
    const ts = b.timeSetter('ts');
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 300_000; i++) {
      ts(now - 60 + (i >> 13), i);
      b.setIface('veth0');
      b.setSrcIp(0x0ac80000 + i);
      b.setDstIp(0x0ac8ff01);
      b.setFlowId(i);
      b.finalize();
    }
    const payload = b.encode();
    let inserted = false;
    const insert = ch.insert('iso.flows', insertColumns(flows), 'Native', payload, 'iso-1').then(() => {
      inserted = true;
    });
    // Until the engine runs the insert (it first stages the block in a file).
    let seen = false;
    while (!seen && !inserted) {
      const p = await ch.query<{ n: string }>(
        "SELECT count() AS n FROM system.processes WHERE query_kind = 'Insert' AND position(query, 'iso.flows') > 0",
      );
      seen = Number(p[0]!.n) > 0;
    }
    expect(seen, 'the insert was seen running').toBe(true);
    const r = await ch.query<{ n: string }>("SELECT count() AS n FROM iso.flows WHERE iface = 'veth0'");
    expect(inserted, 'the query was answered before the insert ended').toBe(false);
    expect(Number(r[0]!.n)).toBe(0);
    await insert;
    const after = await ch.query<{ n: string }>("SELECT count() AS n FROM iso.flows WHERE iface = 'veth0'");
    expect(Number(after[0]!.n)).toBe(300_000);
  });

  it('stages every insert of a table in one file rewritten to each batch length (made again if removed), a concurrent one in a file of its own, and removes them on close', async () => {
    const block = (rows: number, iface: string): Uint8Array => {
      const b = createRowBuilder(flows, rows);
      const ts = b.timeSetter('ts');
      for (let i = 0; i < rows; i++) {
        ts(Math.floor(Date.now() / 1000), i);
        b.setIface(iface);
        b.setFlowId(i);
        b.finalize();
      }
      return Buffer.from(b.encode());
    };
    const staging = join(dir, 'chdb-staging');
    const cols = insertColumns(flows);
    // Larger, then smaller: a file not cut to the second batch's length would end in rows of the first.
    await ch.insert('iso.flows', cols, 'Native', block(20_000, 'st1'), 'st-1');
    await ch.insert('iso.flows', cols, 'Native', block(3_000, 'st2'), 'st-2');
    await ch.insert('iso.flows', cols, 'Native', block(7_000, 'st3'), 'st-3');
    // Two at once: the second cannot share the file the first is being read from.
    await Promise.all([
      ch.insert('iso.flows', cols, 'Native', block(5_000, 'st4'), 'st-4'),
      ch.insert('iso.flows', cols, 'Native', block(6_000, 'st5'), 'st-5'),
    ]);
    const r = await ch.query<{ i: string; n: string }>(
      "SELECT iface AS i, count() AS n FROM iso.flows WHERE startsWith(iface, 'st') GROUP BY i ORDER BY i",
    );
    expect(r).toEqual([
      { i: 'st1', n: '20000' },
      { i: 'st2', n: '3000' },
      { i: 'st3', n: '7000' },
      { i: 'st4', n: '5000' },
      { i: 'st5', n: '6000' },
    ]);
    // One file per table inserted into, nothing per batch.
    const files = readdirSync(staging);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^${process.pid}-\\d+-table1$`));
    // Removed under the open handle (by hand, or by a cleanup): the next insert makes it again.
    rmSync(join(staging, files[0]!));
    await ch.insert('iso.flows', cols, 'Native', block(4_000, 'st8'), 'st-8');
    const st8 = await ch.query<{ n: string }>("SELECT count() AS n FROM iso.flows WHERE iface = 'st8'");
    expect(Number(st8[0]!.n)).toBe(4_000);
    expect(readdirSync(staging)).toEqual(files);
    // A second adapter of the same directory in this process (the API's) leaves the file alone.
    const other = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 60_000, dataDir: dir });
    await other.insert('iso.flows', cols, 'Native', block(1_000, 'st6'), 'st-6');
    expect(readdirSync(staging)).toHaveLength(2);
    await ch.insert('iso.flows', cols, 'Native', block(2_000, 'st7'), 'st-7');
    await other.close();
    const n = await ch.query<{ n: string }>("SELECT count() AS n FROM iso.flows WHERE iface IN ('st6', 'st7')");
    expect(Number(n[0]!.n)).toBe(3_000);
    await ch.close();
    expect(readdirSync(staging)).toEqual([]);
    ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 60_000, dataDir: dir });
  });
});
