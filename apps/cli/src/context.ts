/**
 * What every subcommand gets: the configuration (loaded once, from the environment and --config),
 * a logger, and the exit-code convention: 0 ok, 1 runtime failure, 2 usage or configuration error.
 */
import { type Command } from 'commander';
import { createLogger, loadConfig, readConfigFile, type LoadedConfig, type Logger } from '@nicscope/config';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown by a command for a usage problem: printed without a stack, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class CliContext {
  private loaded: LoadedConfig | undefined;
  private log: Logger | undefined;

  constructor(private readonly program: Command) {}

  /** The validated configuration; a bad value throws ConfigError (exit 2). */
  get cfg(): LoadedConfig {
    if (!this.loaded) {
      const path = this.program.opts<{ config?: string }>().config;
      this.loaded = loadConfig(process.env, path ? readConfigFile(path) : undefined);
    }
    return this.loaded;
  }

  get logger(): Logger {
    this.log ??= createLogger(this.cfg.config.log);
    return this.log;
  }
}

/** A subcommand module: adds itself to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
