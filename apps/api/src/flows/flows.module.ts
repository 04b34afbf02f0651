import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { FlowsController } from './flows.controller.js';
import { FlowsService } from './flows.service.js';

const PROVIDERS = [FlowsService];

@Module({ imports: [StorageModule, CommonModule], providers: PROVIDERS, controllers: [FlowsController] })
export class FlowsModule {}
