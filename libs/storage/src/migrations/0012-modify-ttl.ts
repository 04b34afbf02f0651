/**
 * TTLs come from the configuration (storage.ttlRawDays / storage.ttlRollupDays): when the
 * configured days differ from a table's TTL, the table's TTL is changed. With ttl_only_drop_parts
 * ClickHouse drops whole expired parts.
 */
import { ALL_TABLES } from '../schema/index.js';
import { localName, ttlClause } from '../schema/ddl.js';
import { type Migration } from './migration.js';

const migration: Migration = {
  version: 12,
  name: 'modify-ttl',
  async up(ctx) {
    let applied = false;
    for (const t of ALL_TABLES) {
      const ttl = ttlClause(t, ctx.ddl);
      if (!ttl) continue;
      const name = localName(t, ctx.ddl);
      const create = await ctx.createQuery(name);
      if (create === undefined) continue;
      // system.tables shows the TTL normalised: `+ toIntervalDay(7)`.
      const days = /\bTTL\b.*?(?:INTERVAL (\d+) DAY|toIntervalDay\((\d+)\))/
        .exec(create)
        ?.slice(1)
        .find((d) => d !== undefined);
      const want = /INTERVAL (\d+) DAY/.exec(ttl)![1];
      if (days === want) continue;
      const on = ctx.ddl.cluster ? ` ON CLUSTER \`${ctx.ddl.cluster}\`` : '';
      await ctx.exec(`ALTER TABLE \`${ctx.ddl.database}\`.\`${name}\`${on} MODIFY TTL ${ttl}`);
      applied = true;
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
