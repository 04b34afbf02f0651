import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module.js';
import { OpsController } from './ops.controller.js';
import { OpsService } from './ops.service.js';

const PROVIDERS = [OpsService];

@Module({ imports: [StorageModule], providers: PROVIDERS, controllers: [OpsController] })
export class OpsModule {}
