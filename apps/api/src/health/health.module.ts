import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

const PROVIDERS = [HealthService];

@Module({ imports: [StorageModule, CommonModule], providers: PROVIDERS, controllers: [HealthController] })
export class HealthModule {}
