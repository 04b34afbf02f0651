/**
 * The collector alone (no API): `node dist/apps/collector/src/main.js`. `nicscope start` runs it
 * together with the API in one process.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@nicscope/config';
import { CollectorModule } from './collector.module';
import { CollectorService } from './collector.service';

export async function runCollector(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`nicscope collector: configuration error:\n  ${e.problems.join('\n  ')}\n`);
      process.exit(2);
    }
    throw e;
  }
  const app = await NestFactory.createApplicationContext(CollectorModule.forRoot(loaded), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await app.get(CollectorService).start();
}

if (require.main === module) void runCollector();
