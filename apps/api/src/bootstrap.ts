/**
 * createApiApp(): builds, configures and (unless `listen: false`) starts the API. Used by main.ts
 * (API alone) and by the collector (embedded mode: same process, in-process LiveBus).
 */
import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type AddressInfo } from 'node:net';
import { ApiModule } from './api.module.js';
import { type ApiOptions } from './api.options.js';
import { AuthService } from './auth/auth.service.js';
import { ApiWsAdapter } from './live/ws.adapter.js';
import { LiveService } from './live/live.service.js';
import { MetricsService } from './metrics/metrics.service.js';

export interface ApiApp {
  app: INestApplication;
  /** `http://host:port`, once listening. */
  url: string;
  /** Set only at the first start: the admin token just created (print it once, it is not stored in clear). */
  firstStartToken: string | undefined;
  openapi: OpenAPIObject;
  metrics: MetricsService;
  live: LiveService;
  close(): Promise<void>;
}

export interface CreateApiOptions extends ApiOptions {
  /** Default true: listen on config.api.host:port. */
  listen?: boolean;
  /**
   * Default true: Nest closes the app on SIGINT/SIGTERM and re-raises the signal. An embedding
   * process that owns its shutdown (`nicscope start`) passes false.
   */
  shutdownHooks?: boolean;
  /** A Nest logger (default: Nest's console logger at warn and above). */
  logger?: LoggerService | LogLevel[] | false;
}

export async function createApiApp(opts: CreateApiOptions): Promise<ApiApp> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(opts), {
    logger: opts.logger ?? ['error', 'warn'],
    bodyParser: true,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: '64kb' });
  const cors = opts.config.api.cors;
  if (cors.length > 0) app.enableCors({ origin: [...cors], allowedHeaders: ['Authorization', 'Content-Type'] });
  app.disable('x-powered-by');
  app.useWebSocketAdapter(new ApiWsAdapter(app));
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('nicscope API')
    .setDescription(
      'Stored flows, top talkers, rollups, OVS datapath rates, capture health; live stream at /ws (see docs/api.md).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const openapi = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('api/docs', app, openapi, { jsonDocumentUrl: 'api/docs/openapi.json' });
  let url = '';
  if (opts.listen !== false) {
    await app.listen(opts.config.api.port, opts.config.api.host);
    const addr = app.getHttpServer().address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}`;
  } else await app.init();
  return {
    app,
    url,
    firstStartToken: app.get(AuthService).firstStartToken,
    openapi,
    metrics: app.get(MetricsService),
    live: app.get(LiveService),
    close: () => app.close(),
  };
}
