/** The collector's one storage (libs/storage): opened at start-up (migrations), flushed at shutdown. */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { type NicscopeConfig } from '@nicscope/config';
import { Storage } from '@nicscope/storage';
import { CONFIG } from '../config/config.module';

@Injectable()
export class StorageService implements OnApplicationShutdown {
  private storage: Storage | undefined;

  constructor(
    @Inject(CONFIG) private readonly cfg: NicscopeConfig,
    private readonly log: PinoLogger,
  ) {
    this.log.setContext('storage');
  }

  /** Opens the database and applies migrations; an unreachable database starts in spooling mode. */
  async open(collector: string): Promise<Storage> {
    this.storage ??= await Storage.open(this.cfg, {
      collector,
      logger: {
        info: (o, m) => this.log.info(o, m),
        warn: (o, m) => this.log.warn(o, m),
        error: (o, m) => this.log.error(o, m),
      },
    });
    return this.storage;
  }

  get(): Storage {
    if (!this.storage) throw new Error('storage is not open yet');
    return this.storage;
  }

  get isOpen(): boolean {
    return this.storage !== undefined;
  }

  /** Flushes every writer (to the database, or to the spool) and closes. Idempotent. */
  async close(): Promise<void> {
    await this.storage?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
