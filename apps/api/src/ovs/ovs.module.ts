import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { OvsController } from './ovs.controller.js';
import { OvsService } from './ovs.service.js';

const PROVIDERS = [OvsService];

@Module({ imports: [StorageModule, CommonModule], providers: PROVIDERS, controllers: [OvsController] })
export class OvsModule {}
