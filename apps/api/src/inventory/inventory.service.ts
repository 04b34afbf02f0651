import { Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { API_CONFIG } from '../api.options.js';
import { LimitsService } from '../common/limits.service.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';
import { inventoryLatest } from '../storage/queries.js';
import { buildTopology, type HostTopology, type InventoryRow } from './topology.js';

@Injectable()
export class InventoryService {
  constructor(
    private readonly ch: ClickHouseAdapter,
    private readonly limits: LimitsService,
    @Inject(API_CONFIG) private readonly config: NicscopeConfig,
  ) {}

  async interfaces(): Promise<InventoryRow[]> {
    const sql = inventoryLatest(this.config.clickhouse.database, this.limits.maxRows);
    return this.ch.rows<InventoryRow>(sql.query, sql.params);
  }

  async topology(): Promise<HostTopology[]> {
    return buildTopology(await this.interfaces());
  }
}
