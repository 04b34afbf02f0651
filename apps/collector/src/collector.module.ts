/** The collector application: capture workers, inventory and counters, storage, status. */
import { type DynamicModule, Module } from '@nestjs/common';
import { type LoadedConfig } from '@nicscope/config';
import { type LivePublisher } from '@nicscope/contracts';
import { CaptureService } from './capture/capture.service';
import { CollectorService } from './collector.service';
import { ConfigModule } from './config/config.module';
import { StatsService } from './inventory/stats.service';
import { LIVE_PUBLISHER } from './live/live.tokens';
import { OvsService } from './ovs/ovs.service';
import { StatusService } from './status/status.service';
import { StorageService } from './storage/storage.service';

const PROVIDERS = [StorageService, CaptureService, StatsService, OvsService, StatusService, CollectorService];

@Module({})
export class CollectorModule {
  /**
   * @param live the live seam's publishing side: the API's in-process bus in embedded mode, a
   * broker transport when the API runs elsewhere; none when nobody watches live.
   */
  static forRoot(loaded: LoadedConfig, live?: LivePublisher): DynamicModule {
    return {
      module: CollectorModule,
      imports: [ConfigModule.forRoot(loaded)],
      providers: [...PROVIDERS, ...(live ? [{ provide: LIVE_PUBLISHER, useValue: live }] : [])],
      exports: [CollectorService, CaptureService, StorageService],
    };
  }
}
