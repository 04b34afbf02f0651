/**
 * Embedded chDB runs the queries of one session one at a time; the adapter inserts through a
 * session per table, so a query (the API's, in the same process) does not wait behind an insert.
 * Real chDB, no root.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
});
