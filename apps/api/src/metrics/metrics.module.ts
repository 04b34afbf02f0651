import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

const PROVIDERS = [MetricsService];

@Module({ providers: PROVIDERS, controllers: [MetricsController], exports: [MetricsService] })
export class MetricsModule {}
