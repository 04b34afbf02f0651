/**
 * The `ws` adapter with the token checked at the handshake (401 before any upgrade), a 64 KiB
 * message cap, and Nest's `{event,data}` message routing turned off (the gateway's sessions parse
 * the contracts ClientMessage union themselves).
 */
import { type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WS_TOKEN_PROTOCOL_PREFIX } from '@nicscope/contracts';
import { type IncomingMessage } from 'node:http';
import { AuthService } from '../auth/auth.service.js';
import { type WsRequest } from './live.gateway.js';

export const WS_MAX_PAYLOAD = 64 * 1024;

export class ApiWsAdapter extends WsAdapter {
  private readonly auth: AuthService;

  constructor(app: INestApplicationContext) {
    super(app);
    this.auth = app.get(AuthService);
  }

  override create(port: number, options: Record<string, unknown> = {}): unknown {
    return super.create(port, {
      ...options,
      maxPayload: WS_MAX_PAYLOAD,
      verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string) => void) => {
        const token = this.auth.tokenFrom(info.req);
        const auth = this.auth.verify(token);
        if (!auth) {
          cb(false, 401, token ? 'invalid or revoked token' : 'missing token');
          return;
        }
        (info.req as WsRequest).nicscopeAuth = auth;
        cb(true);
      },
      // A browser offers ['nicscope', 'nicscope.token.<t>']: answer 'nicscope', never echo the token.
      handleProtocols: (protocols: Set<string>) => {
        for (const p of protocols) if (!p.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return p;
        return false;
      },
    });
  }

  override bindMessageHandlers(): void {
    /* sessions read their own messages */
  }
}
