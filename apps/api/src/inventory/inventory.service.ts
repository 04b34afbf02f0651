import { Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { API_CONFIG } from '../api.options.js';
import { LimitsService } from '../common/limits.service.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';
import { inventoryLatest } from '../storage/queries.js';
import { buildTopology, type HostTopology, type InventoryRow } from './topology.js';

/** The schema stores a MAC as a 48-bit number. */
export function macString(n: string | number): string {
  const hex = BigInt(n).toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

@Injectable()
export class InventoryService {
  constructor(
    private readonly ch: ClickHouseAdapter,
    private readonly limits: LimitsService,
    @Inject(API_CONFIG) private readonly config: NicscopeConfig,
  ) {}

  async interfaces(): Promise<Array<InventoryRow & { mac: string }>> {
    const sql = inventoryLatest(this.config.clickhouse.database, this.limits.maxRows);
    const rows = await this.ch.rows<InventoryRow & { mac: string | number }>(sql.query, sql.params);
    return rows.map((r) => ({ ...r, mac: macString(r.mac) }));
  }

  async topology(): Promise<HostTopology[]> {
    return buildTopology(await this.interfaces());
  }
}
