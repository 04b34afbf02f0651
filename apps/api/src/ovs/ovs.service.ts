import { Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { type OvsQuery } from '@nicscope/contracts';
import { API_CONFIG } from '../api.options.js';
import { LimitsService } from '../common/limits.service.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';
import { ovsDatapath } from '../storage/queries.js';
import { datapathRates, type DatapathRate, type DatapathSample } from './datapath-rates.js';

@Injectable()
export class OvsService {
  constructor(
    private readonly ch: ClickHouseAdapter,
    private readonly limits: LimitsService,
    @Inject(API_CONFIG) private readonly config: NicscopeConfig,
  ) {}

  async datapath(q: OvsQuery): Promise<{ rates: DatapathRate[]; counterResets: number }> {
    const r = this.limits.range(q);
    const sql = ovsDatapath(this.config.clickhouse.database, r, q.datapath, this.limits.maxRows);
    const samples = await this.ch.rows<DatapathSample>(sql.query, sql.params);
    const { rates, resets } = datapathRates(samples.map((s) => ({ ...s, tsMs: Number(s.tsMs) })));
    return { rates, counterResets: resets };
  }
}
