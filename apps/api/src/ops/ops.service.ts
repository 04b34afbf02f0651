import { Inject, Injectable } from '@nestjs/common';
import { type LiveSource } from '@nicscope/contracts';
import { LIVE_SOURCE } from '../api.options.js';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter.js';

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; captures: boolean };
  reasons: string[];
}

/** A health snapshot older than this means the collector stopped reporting. */
export const HEALTH_STALE_MS = 60_000;

@Injectable()
export class OpsService {
  constructor(
    private readonly db: ClickHouseAdapter,
    @Inject(LIVE_SOURCE) private readonly live: LiveSource,
  ) {}

  async readiness(now = Date.now()): Promise<Readiness> {
    const reasons: string[] = [];
    const database = await this.db.ping();
    if (!database) reasons.push('database not reachable');
    const snaps = this.live.lastHealth();
    let captures = snaps.length > 0;
    if (!captures) reasons.push('no collector has reported capture health yet');
    for (const h of snaps) {
      if (now - h.atMs > HEALTH_STALE_MS) {
        captures = false;
        reasons.push(`collector ${h.collector}: last health ${Math.round((now - h.atMs) / 1000)} s ago`);
      }
      if (h.captures.length === 0) {
        captures = false;
        reasons.push(`collector ${h.collector}: no capture running`);
      }
      for (const c of h.captures) {
        if (!c.running) {
          captures = false;
          reasons.push(`collector ${h.collector}: capture on ${c.iface} stopped${c.error ? `: ${c.error}` : ''}`);
        }
      }
    }
    return { ready: database && captures, checks: { database, captures }, reasons };
  }
}
