/** The process logger: pino, JSON by default, human-readable when stderr is a terminal. */
import pino, { type Logger } from 'pino';
import type { NicscopeConfig } from './spec.js';

export type { Logger } from 'pino';

export function createLogger(cfg: NicscopeConfig['log'], name = 'nicscope'): Logger {
  const pretty = cfg.format === 'pretty' || (cfg.format === 'auto' && process.stderr.isTTY);
  if (pretty) {
    return pino({
      name,
      level: cfg.level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  // Synchronous: a collector logs little, and the last lines before an exit must not be lost.
  return pino({ name, level: cfg.level }, pino.destination({ fd: 2, sync: true }));
}
