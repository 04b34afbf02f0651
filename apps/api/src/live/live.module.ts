import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LiveGateway } from './live.gateway.js';
import { LiveService } from './live.service.js';

const PROVIDERS = [LiveService, LiveGateway];

@Module({ imports: [MetricsModule], providers: PROVIDERS, exports: [LiveService] })
export class LiveModule {}
