/**
 * The `nicscope` command. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
 */
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '@nicscope/config';
import { CliContext, EXIT_FAILURE, EXIT_USAGE, UsageError } from './context.js';
import { COMMANDS } from './commands/index.js';

export function buildProgram(): { program: Command; ctx: CliContext } {
  const program = new Command('nicscope');
  program
    .description('network observability and capture for Linux virtualization hosts')
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('-c, --config <file>', 'YAML or JSON configuration file (environment NICSCOPE_* overrides it)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const ctx = new CliContext(program);
  for (const register of COMMANDS) register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride();
  return { program, ctx };
}

function fail(code: number, message: string): never {
  process.stderr.write(`nicscope: ${message}\n`);
  process.exit(code);
}

export async function main(argv: readonly string[]): Promise<void> {
  const { program } = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        process.exit(0);
      process.exit(EXIT_USAGE); // commander already printed the reason
    }
    if (e instanceof ConfigError) fail(EXIT_USAGE, `configuration error:\n  ${e.problems.join('\n  ')}`);
    if (e instanceof UsageError) fail(EXIT_USAGE, e.message);
    fail(EXIT_FAILURE, e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

if (require.main === module) void main(process.argv);
