/**
 * The flow tables keep parts under 250k rows in the compact format (one data file) instead of the
 * wide one (files of its own for each column): an insert of a flows batch (up to 4 × flushRows rows, 200k with
 * the default flushRows) writes 13 files instead of 117, and costs less of the insert's
 * time. Merged parts over 250k rows are wide again: merges into compact parts cost more CPU
 * (decision 0408). A part is compact while it is under either threshold; min_bytes_for_wide_part
 * is left at its default (10 MB). Migration 0017 raises the rollups' threshold (decision 0411).
 */
import { flows, flows1h, flows1m } from '../schema/index.js';
import { localName, type DdlOptions } from '../schema/ddl.js';
import { type Migration, type MigrationContext } from './migration.js';
import { modifySetting, modifySettingDdl, settingIn } from './setting.js';

export const MIN_ROWS_FOR_WIDE_PART = 250_000;

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
    if (await wideParts(ctx, localName(flows, ctx.ddl))) applied = true;
    // The rollups only while they have no threshold: migration 0017 raises theirs, and a step that
    // set back what a later one changes would never converge.
    for (const t of [flows1m, flows1h]) {
      const name = localName(t, ctx.ddl);
      if (settingIn((await ctx.createQuery(name)) ?? '', 'min_rows_for_wide_part') !== undefined) continue;
      if (await wideParts(ctx, name)) applied = true;
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
