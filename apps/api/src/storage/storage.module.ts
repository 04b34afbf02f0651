import { Module } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter.js';

const PROVIDERS = [ClickHouseAdapter];

@Module({ providers: PROVIDERS, exports: [ClickHouseAdapter] })
export class StorageModule {}
