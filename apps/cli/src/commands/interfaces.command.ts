/**
 * `nicscope interfaces [--json] [--netns NAME]`: the host's network devices (libs/netdev) as a
 * tree (bridges with their ports, veth peers, taps with their owners) or as JSON.
 */
import { type Command } from 'commander';
import { formatTree, listInterfaces, NetdevError } from '@nicscope/netdev';
import { type CliContext, UsageError } from '../context.js';

export function registerInterfaces(program: Command, _ctx: CliContext): void {
  program
    .command('interfaces')
    .description(
      'list network interfaces: bridges and their ports, veth peers, taps with their owners, drivers, counters',
    )
    .option('--json', 'print JSON (one array of interfaces)')
    .option('-n, --netns <name>', 'a named network namespace (ip netns) instead of the current one')
    .option(
      '--ovs-db <socket>',
      'OVSDB socket to learn OVS bridges and ports from (default /run/openvswitch/db.sock if present)',
    )
    .action(async (opts: { json?: boolean; netns?: string; ovsDb?: string }) => {
      let list;
      try {
        list = await listInterfaces({ netns: opts.netns, ovsDb: opts.ovsDb });
      } catch (e) {
        if (e instanceof NetdevError && opts.netns) throw new UsageError(e.message);
        throw e;
      }
      if (opts.json) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      console.log(formatTree(list, opts.netns ? `network namespace ${opts.netns}` : undefined));
    });
}
