/**
 * The flow tables keep parts under a million rows in the compact format (one data file) instead
 * of the wide one (two files a column): the parts an insert makes (the flows writer's batches,
 * up to 4 × flushRows rows) cost a third of the files and less of the insert's time, and the
 * merges of the young parts write wide parts once they pass a million rows (decision 0408). A
 * part is compact while it is under either threshold: min_bytes_for_wide_part is left at its
 * default.
 */
import { flows, flows1h, flows1m } from '../schema/index.js';
import { localName, type DdlOptions } from '../schema/ddl.js';
import { type Migration, type MigrationContext } from './migration.js';
import { modifySetting, modifySettingDdl } from './setting.js';

export const MIN_ROWS_FOR_WIDE_PART = 1_000_000;

export function wideParts(ctx: MigrationContext, name: string): Promise<boolean> {
  return modifySetting(ctx, name, 'min_rows_for_wide_part', MIN_ROWS_FOR_WIDE_PART);
}

export function widePartsDdl(name: string, o: DdlOptions): string {
  return modifySettingDdl(name, o, 'min_rows_for_wide_part', MIN_ROWS_FOR_WIDE_PART);
}

const migration: Migration = {
  version: 16,
  name: 'modify-wide-part-rows',
  async up(ctx) {
    let applied = false;
    for (const t of [flows, flows1m, flows1h]) if (await wideParts(ctx, localName(t, ctx.ddl))) applied = true;
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
