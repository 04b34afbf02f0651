/**
 * The rollup tables (flows_1m, flows_1h) keep their parts compact (one data file) at any size
 * below 100M rows, instead of turning wide over migration 0016's 250k rows: their merged parts
 * are then written as one file instead of two per column, and in the collector bench's worst case
 * (a rollup row per flow) their merges cost less CPU; queries over 8M rollup rows were as fast on
 * compact as on wide parts (decision 0411). `flows` keeps 0016's threshold.
 */
import { flows1h, flows1m } from '../schema/index.js';
import { localName, type DdlOptions } from '../schema/ddl.js';
import { type Migration, type MigrationContext } from './migration.js';
import { modifySetting, modifySettingDdl } from './setting.js';

export const ROLLUP_MIN_ROWS_FOR_WIDE_PART = 100_000_000;

export function compactRollupParts(ctx: MigrationContext, name: string): Promise<boolean> {
  return modifySetting(ctx, name, 'min_rows_for_wide_part', ROLLUP_MIN_ROWS_FOR_WIDE_PART);
}

export function compactRollupPartsDdl(name: string, o: DdlOptions): string {
  return modifySettingDdl(name, o, 'min_rows_for_wide_part', ROLLUP_MIN_ROWS_FOR_WIDE_PART);
}

const migration: Migration = {
  version: 17,
  name: 'modify-rollup-part-format',
  async up(ctx) {
    let applied = false;
    for (const t of [flows1m, flows1h]) if (await compactRollupParts(ctx, localName(t, ctx.ddl))) applied = true;
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
