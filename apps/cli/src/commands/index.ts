/** Every subcommand, in the order `nicscope --help` lists them. Add one line per new command. */
import { type RegisterCommand } from '../context.js';
import { registerConfig } from './config.command.js';

export const COMMANDS: readonly RegisterCommand[] = [registerConfig];
