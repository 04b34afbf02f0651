/**
 * A ClickHouse client for the API alone: over HTTP when clickhouse.url is set, else chDB in
 * `<dataDir>/chdb` (one process per chDB folder: with the collector running embedded, the API
 * runs inside it and receives its client instead).
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { type NicscopeConfig } from '@nicscope/config';
import { join } from 'node:path';

export async function openClickHouse(config: NicscopeConfig): Promise<ClickHouseClient> {
  const ch = config.clickhouse;
  if (ch.url) {
    return createClient({
      url: ch.url,
      username: ch.user,
      password: ch.password,
      request_timeout: ch.requestTimeoutMs,
    });
  }
  const { createChdbConnection } = await import('chdb/connection');
  return createClient({ connection: createChdbConnection({ path: join(config.dataDir, 'chdb') }) } as never);
}
