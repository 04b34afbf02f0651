/**
 * The flow rollups are written by the storage writer with each flows batch (rows/flow-rollups.ts,
 * decision 0403) instead of by materialized views; this step drops the views that steps 0010 and
 * 0011 created before, so that no rollup row is counted twice.
 */
import { flows1h, flows1m } from '../schema/index.js';
import { localName, mvName } from '../schema/ddl.js';
import { type Migration } from './migration.js';

const migration: Migration = {
  version: 13,
  name: 'drop-rollup-views',
  async up(ctx) {
    let applied = false;
    for (const rollup of [flows1m, flows1h]) {
      const view = localName(mvName(rollup), ctx.ddl);
      if (!(await ctx.tableExists(view))) continue;
      const on = ctx.ddl.cluster ? ` ON CLUSTER \`${ctx.ddl.cluster}\`` : '';
      await ctx.exec(`DROP VIEW IF EXISTS \`${ctx.ddl.database}\`.\`${view}\`${on} SYNC`);
      applied = true;
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
