/**
 * `flows.ether_type`: the EtherType of a flow that is not IP (ARP, LLDP, …), which the flow table
 * keys on its MAC addresses. Before it such a flow's address columns held part of its MACs; now
 * they hold :: and the flow says what it carries. IP flows write 0 (in a part where nearly every
 * flow is IP, ClickHouse stores the column sparse). Batches spooled before the column existed name
 * their columns and still insert.
 */
import { flows } from '../schema/index.js';
import { addColumnDdl, localName } from '../schema/ddl.js';
import { type Migration } from './migration.js';

const migration: Migration = {
  version: 18,
  name: 'add-flows-ether-type',
  async up(ctx) {
    // In cluster mode the local table and the Distributed one over it each have their columns.
    const names = ctx.ddl.cluster ? [localName(flows, ctx.ddl), flows.name] : [flows.name];
    let applied = false;
    for (const name of names) {
      if (!(await ctx.tableExists(name)) || (await ctx.columnExists(name, 'ether_type'))) continue;
      await ctx.exec(addColumnDdl(flows, 'ether_type', name, ctx.ddl));
      applied = true;
    }
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
