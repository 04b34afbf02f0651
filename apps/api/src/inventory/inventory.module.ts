import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { InventoryController } from './inventory.controller.js';
import { InventoryService } from './inventory.service.js';

const PROVIDERS = [InventoryService];

@Module({ imports: [StorageModule, CommonModule], providers: PROVIDERS, controllers: [InventoryController] })
export class InventoryModule {}
