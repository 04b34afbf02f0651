/**
 * The API alone: `node dist/apps/api/src/main.js` (or `nicscope api`). Reads stored data; the live
 * stream is empty until a broker transport feeds its LiveSource (embedded mode: see bootstrap.ts).
 */
import 'reflect-metadata';
import { loadConfig, readConfigFile } from '@nicscope/config';
import { createApiApp } from './bootstrap.js';
import { InProcessLiveBus } from './live/in-process-bus.js';
import { openClickHouse } from './storage/open-clickhouse.js';

export async function runApiAlone(env: NodeJS.ProcessEnv = process.env, configPath?: string): Promise<void> {
  const { config } = loadConfig(env, configPath ? readConfigFile(configPath) : undefined);
  const clickhouse = await openClickHouse(config);
  const api = await createApiApp({
    config,
    clickhouse,
    live: new InProcessLiveBus(),
    logger: ['log', 'error', 'warn'],
  });
  process.stdout.write(
    `nicscope API listening on ${api.url} (OpenAPI: ${api.url}/api/docs, WebSocket: ${api.url.replace(/^http/, 'ws')}/ws)\n`,
  );
  if (api.firstStartToken)
    process.stdout.write(`first start: admin token (shown once, stored hashed): ${api.firstStartToken}\n`);
  const stop = (): void => {
    void api
      .close()
      .then(() => clickhouse.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  runApiAlone().catch((e: unknown) => {
    process.stderr.write(`nicscope api: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
