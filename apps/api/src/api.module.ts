/**
 * The API as one Nest module, created either alone (main.ts) or inside the collector's process
 * (embedded mode) through createApiApp() in bootstrap.ts.
 */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { API_CONFIG, API_OPTIONS, type ApiOptions, CLICKHOUSE, LIVE_SOURCE } from './api.options.js';
import { AuthModule } from './auth/auth.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { FlowsModule } from './flows/flows.module.js';
import { InventoryModule } from './inventory/inventory.module.js';
import { LiveModule } from './live/live.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OpsModule } from './ops/ops.module.js';
import { OvsModule } from './ovs/ovs.module.js';
import { HealthModule } from './health/health.module.js';

@Global()
@Module({})
class ApiOptionsModule {
  static forRoot(opts: ApiOptions): DynamicModule {
    const providers = [
      { provide: API_OPTIONS, useValue: opts },
      { provide: API_CONFIG, useValue: opts.config },
      { provide: CLICKHOUSE, useValue: opts.clickhouse },
      { provide: LIVE_SOURCE, useValue: opts.live },
    ];
    return { module: ApiOptionsModule, providers, exports: providers.map((p) => p.provide) };
  }
}

@Module({})
export class ApiModule {
  static forRoot(opts: ApiOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ApiOptionsModule.forRoot(opts),
        AuthModule,
        MetricsModule,
        OpsModule,
        LiveModule,
        FlowsModule,
        InventoryModule,
        OvsModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
