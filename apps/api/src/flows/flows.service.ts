import { Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { type FlowsQuery, type SeriesQuery, type TopQuery } from '@nicscope/contracts';
import { API_CONFIG } from '../api.options.js';
import { LimitsService } from '../common/limits.service.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';
import { flowsList, series, top, type FlowFilter, type TopKind } from '../storage/queries.js';

@Injectable()
export class FlowsService {
  private readonly db: string;

  constructor(
    private readonly ch: ClickHouseAdapter,
    private readonly limits: LimitsService,
    @Inject(API_CONFIG) config: NicscopeConfig,
  ) {
    this.db = config.clickhouse.database;
  }

  private filter(q: Omit<FlowsQuery, 'limit' | 'offset'>): FlowFilter {
    const { fromMs, toMs } = this.limits.range(q);
    return { fromMs, toMs, iface: q.iface, addr: q.addr, port: q.port, proto: q.proto, vlan: q.vlan, tunnel: q.tunnel };
  }

  async flows(q: FlowsQuery): Promise<{ rows: unknown[]; limit: number; offset: number }> {
    const f = this.filter(q);
    const limit = this.limits.rows(q.limit);
    const offset = q.offset ?? 0;
    const sql = flowsList(this.db, f, limit, offset);
    return { rows: await this.ch.rows(sql.query, sql.params), limit, offset };
  }

  async top(kind: TopKind, q: TopQuery): Promise<{ by: string; rows: unknown[] }> {
    const f = this.filter(q);
    const n = this.limits.rows(q.n, 'n', 10);
    const by = q.by ?? 'bytes';
    const sql = top(this.db, kind, f, by, n);
    return { by, rows: await this.ch.rows(sql.query, sql.params) };
  }

  async series(q: SeriesQuery): Promise<{ stepS: number; rows: unknown[] }> {
    const r = this.limits.range(q);
    const stepS = q.step ?? 60;
    const sql = series(this.db, r, q.iface, stepS, this.limits.maxRows);
    return { stepS, rows: await this.ch.rows(sql.query, sql.params) };
  }
}
