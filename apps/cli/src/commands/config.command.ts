/** `nicscope config`: the effective configuration and where each value came from. */
import { type Command } from 'commander';
import { allKeys } from '@nicscope/config';
import { type CliContext } from '../context.js';

function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], obj);
}

export function registerConfig(program: Command, ctx: CliContext): void {
  program
    .command('config')
    .description('print the effective configuration and where each value came from')
    .option('--json', 'print JSON: {config, sources}')
    .option('--keys', 'list every key with its environment variable, default and accepted values')
    .action((opts: { json?: boolean; keys?: boolean }) => {
      if (opts.keys) {
        for (const [path, k] of allKeys()) {
          console.log(
            `${path}\n  env ${k.env}  default ${JSON.stringify(k.default)}\n  ${k.doc}; accepts ${k.expected}`,
          );
        }
        return;
      }
      const { config, sources } = ctx.cfg;
      if (opts.json) {
        console.log(JSON.stringify({ config, sources: Object.fromEntries(sources) }, null, 2));
        return;
      }
      const rows = allKeys().map(([path, k]) => {
        const secret = path.endsWith('password') && getPath(config, path) !== '';
        const value = secret ? '"***"' : JSON.stringify(getPath(config, path));
        return [path, value, sources.get(path) ?? 'default', k.env];
      });
      const w0 = Math.max(...rows.map((r) => r[0]!.length));
      const w1 = Math.max(...rows.map((r) => r[1]!.length));
      for (const [path, value, source] of rows) console.log(`${path!.padEnd(w0)}  ${value!.padEnd(w1)}  ${source}`);
    });
}
