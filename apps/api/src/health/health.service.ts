import { Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { type HealthQuery, type LiveSource } from '@nicscope/contracts';
import { API_CONFIG, LIVE_SOURCE } from '../api.options.js';
import { LimitsService } from '../common/limits.service.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';
import { captureHealth, collectors } from '../storage/queries.js';

@Injectable()
export class HealthService {
  constructor(
    private readonly ch: ClickHouseAdapter,
    private readonly limits: LimitsService,
    @Inject(API_CONFIG) private readonly config: NicscopeConfig,
    @Inject(LIVE_SOURCE) private readonly live: LiveSource,
  ) {}

  /** Stored per-interface capture counters over the range, plus the live snapshot of each collector. */
  async capture(q: HealthQuery): Promise<{ rows: unknown[]; live: unknown[] }> {
    const r = this.limits.range(q);
    const sql = captureHealth(this.config.clickhouse.database, r, q.iface, this.limits.maxRows);
    return { rows: await this.ch.rows(sql.query, sql.params), live: [...this.live.lastHealth()] };
  }

  async collectors(): Promise<unknown[]> {
    const sql = collectors(this.config.clickhouse.database, this.limits.maxRows);
    return this.ch.rows(sql.query, sql.params);
  }
}
