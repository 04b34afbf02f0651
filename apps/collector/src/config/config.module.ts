/** The validated configuration (libs/config), provided once under one token for every module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { createLogger, type LoadedConfig, type NicscopeConfig } from '@nicscope/config';

export const CONFIG = Symbol('NICSCOPE_CONFIG');
export const LOADED_CONFIG = Symbol('NICSCOPE_LOADED_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(loaded: LoadedConfig): DynamicModule {
    const PROVIDERS = [
      { provide: CONFIG, useValue: loaded.config satisfies NicscopeConfig },
      { provide: LOADED_CONFIG, useValue: loaded },
    ];
    return {
      module: ConfigModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { logger: createLogger(loaded.config.log, 'nicscope') }, forRoutes: [] }),
      ],
      providers: PROVIDERS,
      exports: [...PROVIDERS.map((p) => p.provide), LoggerModule],
    };
  }
}
