/**
 * The rollups (flows_1m, flows_1h) become AggregatingMergeTree tables whose counters are
 * `SimpleAggregateFunction(sum, UInt64)`: merges sum them as SummingMergeTree did, at half its
 * CPU (decision 0405). A table's engine cannot be altered, so a new table takes the old one's
 * place and the old rows are copied into it:
 *
 * 1. create `<t>__aggregating` (new engine, empty);
 * 2. claim it by renaming it to `<t>__claim_<random>` (a rename succeeds for one collector only);
 * 3. if `<t>` still has the old engine, EXCHANGE it with the claimed table (atomic: writers always
 *    find `<t>`, from then on with the new engine), then rename the claim to `<t>__old_<random>`;
 * 4. copy every `<t>__old_*` into `<t>` and drop it. The copy reads in a fixed order in one
 *    thread, so its blocks are the same on every run, and carries the old table's name as its
 *    deduplication token: two collectors copying at once, or a copy re-run after a crash, insert
 *    each block once.
 *
 * Collectors starting together converge: a loser of step 2 only copies; nobody touches another
 * collector's claim unless it holds old rows (its owner stopped after the exchange) or is empty
 * and stale. Inserts still running into the old table at the exchange are waited for before the
 * copy. Cluster tables (Replicated) are not converted: a replicated copy needs a new ZooKeeper
 * path and a copy per shard; docs/storage.md gives the statements for an operator.
 */
import { randomUUID } from 'node:crypto';
import { flows1h, flows1m } from '../schema/index.js';
import { StorageError } from '../clickhouse/errors.js';
import { createTableDdl, localName } from '../schema/ddl.js';
import { insertColumns } from '../schema/table.js';
import { mergeSelector } from './0014-modify-merge-selector.js';
import { lit, type Migration, type MigrationContext } from './migration.js';

const FRESH = '__aggregating';
const CLAIM = '__claim_';
const OLD = '__old_';
/** A claimed table left empty this long was left by a collector that stopped: dropped. */
const STALE_CLAIM_S = 600;

interface TableInfo {
  name: string;
  engine: string;
  rows: string | number | null;
  age: string | number;
}

async function tablesStartingWith(ctx: MigrationContext, prefix: string): Promise<TableInfo[]> {
  return ctx.ch.query<TableInfo>(
    `SELECT name, engine, total_rows AS rows, dateDiff('second', metadata_modification_time, now()) AS age
     FROM system.tables WHERE database = ${lit(ctx.ddl.database)} AND startsWith(name, ${lit(prefix)}) ORDER BY name`,
    `looking for tables named ${prefix}*`,
  );
}

/**
 * Waits (up to `maxMs`) until no insert that names `table` and started before `sinceMs` (the
 * exchange) is still running: such an insert may still be writing into the old table.
 */
async function insertsSettled(ctx: MigrationContext, table: string, sinceMs: number, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const before = (Date.now() - sinceMs) / 1000;
    const r = await ctx.ch.query<{ n: string | number }>(
      `SELECT count() AS n FROM system.processes
       WHERE query_kind = 'Insert' AND position(query, ${lit(table)}) > 0 AND elapsed >= ${before.toFixed(3)}`,
      `looking for inserts into ${table}`,
    );
    if (Number(r[0]?.n ?? 0) === 0 || Date.now() > until) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** UNKNOWN_TABLE, TABLE_IS_DROPPED: renamed or dropped meanwhile by another collector. */
const isGone = (err: unknown): boolean => err instanceof StorageError && (err.chCode === '60' || err.chCode === '218');

/** Renames `from` to `to`; false if `from` was gone (another collector took it). */
async function renameIfThere(ctx: MigrationContext, from: string, to: string): Promise<boolean> {
  const db = `\`${ctx.ddl.database}\``;
  try {
    await ctx.exec(`RENAME TABLE ${db}.\`${from}\` TO ${db}.\`${to}\``);
    return true;
  } catch (err) {
    if (!isGone(err)) throw err;
    return false;
  }
}

const newId = (): string => randomUUID().slice(0, 8);

const migration: Migration = {
  version: 15,
  name: 'convert-rollup-engine',
  async up(ctx) {
    if (ctx.ddl.cluster) return 'skipped';
    const db = `\`${ctx.ddl.database}\``;
    let applied = false;
    for (const t of [flows1m, flows1h]) {
      const name = localName(t, ctx.ddl);
      if ((await ctx.engine(name)) === 'SummingMergeTree') {
        const fresh = `${name}${FRESH}`;
        const claim = `${name}${CLAIM}${newId()}`;
        await ctx.exec(createTableDdl(t, ctx.ddl, fresh));
        // A rename succeeds for one collector; the others only help copy.
        if (await renameIfThere(ctx, fresh, claim)) {
          // The setting of step 0014 too, which ran before this table existed.
          await mergeSelector(ctx, claim);
          if ((await ctx.engine(name)) === 'SummingMergeTree') {
            const at = Date.now();
            await ctx.exec(`EXCHANGE TABLES ${db}.\`${name}\` AND ${db}.\`${claim}\``);
            await insertsSettled(ctx, name, at);
          }
          // Now the old rows (or nothing, if another collector exchanged first): to be copied.
          await renameIfThere(ctx, claim, `${name}${OLD}${newId()}`);
        }
        applied = true;
      }
      // Claims of a collector that stopped: with the old rows (exchanged) they go to the copy;
      // empty and stale ones are dropped.
      for (const c of await tablesStartingWith(ctx, `${name}${CLAIM}`)) {
        if (c.engine === 'SummingMergeTree') {
          if (await renameIfThere(ctx, c.name, `${name}${OLD}${newId()}`)) applied = true;
        } else if (Number(c.rows ?? 0) === 0 && Number(c.age) > STALE_CLAIM_S) {
          await ctx.exec(`DROP TABLE IF EXISTS ${db}.\`${c.name}\` SYNC`);
          applied = true;
        }
      }
      // Old rows into the new table, once; then the old table goes.
      const cols = insertColumns(t)
        .map((c) => `\`${c}\``)
        .join(', ');
      for (const { name: old } of await tablesStartingWith(ctx, `${name}${OLD}`)) {
        try {
          // Its settings (one thread, the token) must not stay with the session queries use.
          await ctx.ch.commandAlone(
            `INSERT INTO ${db}.\`${name}\` (${cols}) SELECT ${cols} FROM ${db}.\`${old}\` ORDER BY ${cols}`,
            {
              insert_deduplicate: 1,
              insert_deduplication_token: old,
              max_threads: 1,
              max_insert_threads: '1',
              // 90 days of rollups need not fit in memory to be sorted.
              max_bytes_before_external_sort: String(1 << 30),
            },
          );
        } catch (err) {
          // Dropped meanwhile by another collector, after its copy.
          if (!isGone(err)) throw err;
        }
        await ctx.exec(`DROP TABLE IF EXISTS ${db}.\`${old}\` SYNC`);
        applied = true;
      }
      // The empty table of a collector that lost the race to rename it.
      if ((await ctx.tableExists(`${name}${FRESH}`)) && (await ctx.engine(name)) !== 'SummingMergeTree') {
        await ctx.exec(`DROP TABLE IF EXISTS ${db}.\`${name}${FRESH}\` SYNC`);
      }
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
