/**
 * `nicscope start`: the embedded service in one process — the collector (captures, flows, OVS,
 * storage in chDB under dataDir, or a ClickHouse server) and the API (REST + WebSocket) sharing the
 * database connection and an in-process live bus. SIGINT/SIGTERM: captures stop, flows and batches
 * are flushed, no interface is left promiscuous, exit 0.
 */
import { type Command } from 'commander';
import { type CliContext } from '../context';

export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the embedded service: collector and API in one process (chDB under the data folder by default)')
    .option('--no-api', 'run the collector only')
    .action(async (opts: { api: boolean }) => {
      // Loaded here, not at the top: the service's modules cost every other command a second.
      const { runStart } = await import('./start.run.js');
      await runStart(ctx, opts);
    });
}
