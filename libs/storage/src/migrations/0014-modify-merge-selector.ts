/**
 * The flow tables (`flows` and its rollups, the tables written at the flow rate) merge with
 * `merge_selector_base = 10` instead of ClickHouse's 5: each merge takes in more parts, so a row is
 * rewritten fewer times on its way to a large part (write amplification ≈ log base 10 instead of
 * log base 5 of the part growth), at the price of more parts between merges. On this 2-core
 * machine the merges were the largest share of the collector's CPU (decision 0405). Servers
 * without the setting (it came with ClickHouse 24) are left as they are.
 */
import { flows, flows1h, flows1m } from '../schema/index.js';
import { localName, type DdlOptions } from '../schema/ddl.js';
import { type Migration, type MigrationContext } from './migration.js';

export const MERGE_SELECTOR_BASE = 10;

/**
 * Sets merge_selector_base on one table (local name) when the server knows the setting and the
 * table does not have it yet; true if it changed the table.
 */
export async function mergeSelector(ctx: MigrationContext, name: string): Promise<boolean> {
  const known = await ctx.ch.query<{ n: string | number }>(
    "SELECT count() AS n FROM system.merge_tree_settings WHERE name = 'merge_selector_base'",
    'looking for the merge_selector_base setting',
  );
  if (Number(known[0]?.n ?? 0) === 0) return false;
  const create = await ctx.createQuery(name);
  if (create === undefined || new RegExp(`\\bmerge_selector_base = ${MERGE_SELECTOR_BASE}\\b`).test(create))
    return false;
  await ctx.exec(mergeSelectorDdl(name, ctx.ddl));
  return true;
}

export function mergeSelectorDdl(name: string, o: DdlOptions): string {
  const on = o.cluster ? ` ON CLUSTER \`${o.cluster}\`` : '';
  return `ALTER TABLE \`${o.database}\`.\`${name}\`${on} MODIFY SETTING merge_selector_base = ${MERGE_SELECTOR_BASE}`;
}

const migration: Migration = {
  version: 14,
  name: 'modify-merge-selector',
  async up(ctx) {
    let applied = false;
    for (const t of [flows, flows1m, flows1h]) if (await mergeSelector(ctx, localName(t, ctx.ddl))) applied = true;
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
