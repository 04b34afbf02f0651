import { Inject, Injectable, Logger } from '@nestjs/common';
import { join } from 'node:path';
import { type IncomingMessage } from 'node:http';
import { WS_TOKEN_PROTOCOL_PREFIX } from '@nicscope/contracts';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { RateLimiter } from './rate-limiter.js';
import { type AuthInfo, type Role, TokenStore } from './token-store.js';

@Injectable()
export class AuthService {
  readonly store: TokenStore;
  readonly limiter: RateLimiter;
  /** The admin token created at this start (first start only), for the embedding process to print. */
  readonly firstStartToken: string | undefined;
  private readonly log = new Logger('auth');

  constructor(@Inject(API_OPTIONS) opts: ApiOptions) {
    this.store = new TokenStore(opts.tokenFile ?? join(opts.config.dataDir, 'api-tokens.json'));
    this.limiter = new RateLimiter(opts.config.api.rateLimit);
    if (!this.store.hasAdmin()) {
      this.firstStartToken = this.store.create('first-start admin', 'admin').token;
      this.log.log(`created the first admin token in ${this.store.path}`);
    }
  }

  verify(token: string | undefined): AuthInfo | null {
    return this.store.verify(token);
  }

  /** `Authorization: Bearer <t>` (scripts) or the subprotocol `nicscope.token.<t>` (browsers), never the URL. */
  tokenFrom(req: IncomingMessage): string | undefined {
    const h = req.headers.authorization;
    if (h) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
      return m?.[1];
    }
    const p = req.headers['sec-websocket-protocol'];
    if (typeof p === 'string') {
      for (const part of p.split(',')) {
        const s = part.trim();
        if (s.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return s.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
      }
    }
    return undefined;
  }

  create(name: string, role: Role): { token: string; id: string } {
    const { token, entry } = this.store.create(name, role);
    return { token, id: entry.id };
  }
}
