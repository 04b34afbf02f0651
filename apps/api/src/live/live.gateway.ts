/**
 * WebSocket endpoint `/ws`. Authentication happens before the upgrade (ApiWsAdapter.verifyClient:
 * no or bad token → HTTP 401, no socket). Messages are handled by the session itself (the contracts
 * union, checked on receive), not by Nest's `{event,data}` routing.
 */
import { Inject, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { type IncomingMessage } from 'node:http';
import { type WebSocket } from 'ws';
import { WS_CLOSE } from '@nicscope/contracts';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { type AuthInfo } from '../auth/token-store.js';
import { type ClientSession } from './fanout.js';
import { LiveService } from './live.service.js';

export type WsRequest = IncomingMessage & { nicscopeAuth?: AuthInfo };

@WebSocketGateway({ path: '/ws' })
export class LiveGateway implements OnGatewayConnection, OnModuleDestroy {
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly sockets = new Set<WebSocket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly live: LiveService,
    @Inject(API_OPTIONS) opts: ApiOptions,
  ) {
    this.timer = setInterval(() => this.keepalive(), opts.config.live.pingIntervalS * 1000);
    this.timer.unref();
  }

  handleConnection(ws: WebSocket, req: WsRequest): void {
    const auth = req.nicscopeAuth;
    if (!auth) {
      ws.close(WS_CLOSE.unauthorized, 'unauthorized');
      return;
    }
    const fanout = this.live.fanout;
    const session: ClientSession = fanout.add(ws, auth.role);
    this.sockets.add(ws);
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        session.sendControl({
          type: 'error',
          code: 'bad_message',
          reason: 'binary messages are not accepted; send JSON text',
        });
        return;
      }
      session.handleMessage(
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
      );
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      fanout.remove(session);
    });
    const o = fanout.opts;
    session.sendControl({
      type: 'hello',
      version: 1,
      role: auth.role,
      queueSize: o.queueSize,
      maxSubscriptions: o.maxSubscriptions,
    });
  }

  private keepalive(): void {
    for (const ws of this.sockets) {
      if (this.alive.get(ws) === false) {
        // Two intervals without a pong: the peer is gone or wedged.
        ws.close(WS_CLOSE.keepalive, 'no pong');
        setTimeout(() => ws.terminate(), 1000).unref();
        continue;
      }
      this.alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        /* closing */
      }
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
