/**
 * The body of `nicscope start`, loaded only when that command runs: NestJS, the API, the collector
 * and chDB take over a second to load, which no other command should pay.
 */
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { createApiApp, type ApiApp } from '../../../api/src/bootstrap';
import { InProcessLiveBus } from '../../../api/src/live/in-process-bus';
import { CollectorModule } from '../../../collector/src/collector.module';
import { CollectorService } from '../../../collector/src/collector.service';
import { CaptureService } from '../../../collector/src/capture/capture.service';
import { StorageService } from '../../../collector/src/storage/storage.service';
import { StatusService } from '../../../collector/src/status/status.service';
import { type CliContext } from '../context';

export async function runStart(ctx: CliContext, opts: { api: boolean }): Promise<void> {
  const loaded = ctx.cfg;
  const cfg = loaded.config;
  const bus = new InProcessLiveBus();
  const collectorApp = await NestFactory.createApplicationContext(CollectorModule.forRoot(loaded, bus), {
    bufferLogs: true,
  });
  const logger = collectorApp.get(Logger);
  collectorApp.useLogger(logger);
  const collector = collectorApp.get(CollectorService);
  await collector.start();
  const capture = collectorApp.get(CaptureService);
  const frameDemand = setInterval(() => capture.setLiveFrames(bus.wantsFrames), 200);
  frameDemand.unref();

  let api: ApiApp | undefined;
  if (opts.api && cfg.api.enabled) {
    const storage = collectorApp.get(StorageService).get();
    // This command owns SIGINT/SIGTERM: the API must not re-raise them before the collector flushes.
    api = await createApiApp({
      config: cfg,
      clickhouse: storage.ch.client,
      live: bus,
      logger,
      shutdownHooks: false,
    });
    process.stdout.write(`nicscope API listening on ${api.url}  (OpenAPI: ${api.url}/api/docs)\n`);
    if (api.firstStartToken) {
      process.stdout.write(
        `admin token (shown once, stored hashed under ${cfg.dataDir}): ${api.firstStartToken}\n` +
          `  curl -H 'Authorization: Bearer ${api.firstStartToken}' ${api.url}/api/v1/interfaces\n`,
      );
    }
  }
  const status = collectorApp.get(StatusService);
  status.start(`nicscope ${api ? `— API ${api.url}` : ''}  (Ctrl-C stops)`);

  await new Promise<void>((resolve) => {
    let closing = false;
    const stop = (): void => {
      if (closing) return;
      closing = true;
      clearInterval(frameDemand);
      let step = 'closing the API';
      // A shutdown that does not finish says where it stands (and the process does not hang on).
      const watchdog = setTimeout(() => {
        logger.error({ step, ...openWork() }, `shutdown: still ${step} after ${SHUTDOWN_LIMIT_MS / 1000} s; exiting`);
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS);
      watchdog.unref();
      void (async () => {
        await api?.close();
        step = 'stopping the collector (captures, flushes, storage)';
        await collectorApp.close();
        clearTimeout(watchdog);
        resolve();
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Everything is flushed and closed: the process ends when nothing is left on the event loop. If
  // something still is, name it and end anyway rather than hang.
  setTimeout(() => {
    logger.warn(openWork(), 'shutdown complete but the event loop is not empty; exiting');
    process.exit(0);
  }, EXIT_GRACE_MS).unref();
}

/** Longer than the captures' own stop timeout (5 s) plus the flush of the last batches. */
const SHUTDOWN_LIMIT_MS = 45_000;
const EXIT_GRACE_MS = 3_000;

/** What keeps the event loop alive (for the two shutdown messages above). */
function openWork(): { handles: string[]; requests: string[] } {
  const p = process as unknown as { _getActiveHandles?: () => object[]; _getActiveRequests?: () => object[] };
  const names = (xs: object[] | undefined): string[] => (xs ?? []).map((x) => x.constructor?.name ?? typeof x);
  return { handles: names(p._getActiveHandles?.()), requests: names(p._getActiveRequests?.()) };
}
