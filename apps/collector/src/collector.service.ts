/**
 * The collector's life: open storage (migrations; spooling when the database is away), start the
 * captures and the samplers; at shutdown stop captures (workers flush their flows), take a last
 * sample, flush every batch writer and close. SIGINT/SIGTERM handling is the caller's (main.ts,
 * `nicscope start`), which calls `app.close()`.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { PinoLogger } from 'nestjs-pino';
import { type NicscopeConfig } from '@nicscope/config';
import { CaptureService } from './capture/capture.service';
import { CONFIG } from './config/config.module';
import { StatsService } from './inventory/stats.service';
import { OvsService } from './ovs/ovs.service';
import { StatusService } from './status/status.service';
import { StorageService } from './storage/storage.service';

@Injectable()
export class CollectorService implements OnApplicationShutdown {
  readonly name = process.env.NICSCOPE_COLLECTOR_NAME ?? hostname();
  private started = false;

  constructor(
    @Inject(CONFIG) private readonly cfg: NicscopeConfig,
    private readonly storage: StorageService,
    private readonly capture: CaptureService,
    private readonly stats: StatsService,
    private readonly ovs: OvsService,
    private readonly status: StatusService,
    private readonly log: PinoLogger,
  ) {
    this.log.setContext('collector');
  }

  async start(): Promise<void> {
    const storage = await this.storage.open(this.name);
    if (storage.state === 'spooling')
      this.log.warn({ target: storage.ch.target }, 'database unreachable: collecting into the spool until it answers');
    this.stats.start(storage, this.name);
    await this.capture.start(storage, this.name);
    await this.ovs.start(storage, this.name);
    this.status.ovsState = this.ovs.state;
    this.started = true;
    this.log.info({ interfaces: [...this.capture.captures.keys()], database: storage.ch.target }, 'collector running');
  }

  /** Stops capture and samplers, writes the last interval, flushes. Storage closes after (its own hook). */
  async onApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.status.stop();
    await this.capture.stop();
    await this.ovs.stop();
    this.stats.stop();
    this.stats.sample();
    await this.storage.close();
    this.log.info('collector stopped: flows flushed and written, no capture left');
  }
}
