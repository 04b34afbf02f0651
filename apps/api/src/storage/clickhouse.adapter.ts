/**
 * The one adapter over ClickHouse for the API. Every query is a constant SQL text chosen by the
 * code (fragments come from a fixed set in queries.ts); every user value travels in
 * `query_params` (`{name:Type}` placeholders), so no SQL text is ever built from user input.
 * `executed` keeps the last statements for tests that prove it.
 */
import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { type ClickHouseClient } from '@clickhouse/client';
import { CLICKHOUSE } from '../api.options.js';

export interface Executed {
  query: string;
  params: Record<string, unknown>;
}

@Injectable()
export class ClickHouseAdapter {
  /** The last 64 statements (for tests and debugging); user values are only ever in `params`. */
  readonly executed: Executed[] = [];
  private readonly log = new Logger('clickhouse');

  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    this.executed.push({ query, params });
    if (this.executed.length > 64) this.executed.shift();
    try {
      const rs = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (e) {
      // A database that is away or not migrated yet is a 503 with the database's reason, not a 500.
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
      this.log.warn(`query failed: ${msg}`);
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        reasons: [`database: ${msg}`],
      });
    }
  }

  async ping(): Promise<boolean> {
    try {
      const r = await this.client.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' });
      const rows = await r.json<{ ok: number }>();
      return rows[0]?.ok === 1;
    } catch {
      return false;
    }
  }
}
