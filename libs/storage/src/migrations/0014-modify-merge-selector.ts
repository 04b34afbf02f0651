/**
 * The flow tables (`flows` and its rollups, the tables written at the flow rate) merge with
 * `merge_selector_base = 10` instead of ClickHouse's 5: each merge takes in more parts, so a row is
 * rewritten fewer times on its way to a large part (write amplification ≈ log base 10 instead of
 * log base 5 of the part growth), at the price of more parts between merges. On this 2-core
 * machine the merges were the largest share of the collector's CPU (decision 0405). Servers
 * without the setting (it came with ClickHouse 24) are left as they are. A table that has a base
 * already is left alone: migration 0019 raises it to 30, and a step that set back what a later one
 * changes would never converge (the runner runs every step at every start).
 */
import { flows, flows1h, flows1m } from '../schema/index.js';
import { localName, type DdlOptions } from '../schema/ddl.js';
import { type Migration, type MigrationContext } from './migration.js';
import { modifySetting, modifySettingDdl, settingIn } from './setting.js';

export const MERGE_SELECTOR_BASE = 10;

/** Sets merge_selector_base on one table (local name); true if it changed the table. */
export function mergeSelector(ctx: MigrationContext, name: string): Promise<boolean> {
  return modifySetting(ctx, name, 'merge_selector_base', MERGE_SELECTOR_BASE);
}

export function mergeSelectorDdl(name: string, o: DdlOptions): string {
  return modifySettingDdl(name, o, 'merge_selector_base', MERGE_SELECTOR_BASE);
}

const migration: Migration = {
  version: 14,
  name: 'modify-merge-selector',
  async up(ctx) {
    let applied = false;
    for (const t of [flows, flows1m, flows1h]) {
      const name = localName(t, ctx.ddl);
      if (settingIn((await ctx.createQuery(name)) ?? '', 'merge_selector_base') !== undefined) continue;
      if (await mergeSelector(ctx, name)) applied = true;
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
