/**
 * What the embedding process hands to ApiModule.forRoot: the validated config, a ClickHouse client
 * (chDB in process or HTTP), the LiveSource seam and, optionally, libs/packet's frame formatter.
 */
import { type ClickHouseClient } from '@clickhouse/client';
import { type NicscopeConfig } from '@nicscope/config';
import { type FrameSummarizer, type LiveSource } from '@nicscope/contracts';

export interface ApiOptions {
  config: NicscopeConfig;
  clickhouse: ClickHouseClient;
  live: LiveSource;
  /** Builds frame summaries for WS clients; default: libs/packet's parser and formatter (live/packet-summarizer.ts). */
  summarizer?: FrameSummarizer;
  /** Where the token file lives; default `<config.dataDir>/api-tokens.json`. */
  tokenFile?: string;
}

/** DI tokens (symbols: the interfaces above have no runtime type for Nest to inject by). */
export const API_OPTIONS = Symbol('API_OPTIONS');
export const API_CONFIG = Symbol('API_CONFIG');
export const CLICKHOUSE = Symbol('CLICKHOUSE');
export const LIVE_SOURCE = Symbol('LIVE_SOURCE');
