/** `nicscope interfaces [--json]`: the host's network devices as a tree (filled in by libs/netdev). */
import { type Command } from 'commander';
import { type CliContext } from '../context.js';

export function registerInterfaces(program: Command, _ctx: CliContext): void {
  program
    .command('interfaces')
    .description('list network interfaces: bridges and their ports, veth peers, taps with their owners')
    .option('--json', 'print JSON')
    .action(() => {
      throw new Error('not yet available');
    });
}
