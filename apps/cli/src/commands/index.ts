/** Every subcommand, in the order `nicscope --help` lists them. Add one line per new command. */
import { type RegisterCommand } from '../context.js';
import { registerConfig } from './config.command.js';
import { registerCapture } from './capture.command.js';
import { registerInterfaces } from './interfaces.command.js';
import { registerOvs } from './ovs.command.js';
import { registerReplay } from './replay.command.js';
import { registerStart } from './start.command.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerStart,
  registerConfig,
  registerInterfaces,
  registerCapture,
  registerReplay,
  registerOvs,
];
