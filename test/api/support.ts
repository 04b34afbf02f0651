/**
 * Test support for the API: a real API (Nest, HTTP, ws) on 127.0.0.1:<random port>, with chDB
 * in a temporary folder, an in-process LiveBus, and `ws` clients that record what they receive.
 */
import 'reflect-metadata';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { loadConfig, type NicscopeConfig } from '@nicscope/config';
import { type ServerMessage } from '@nicscope/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApiApp, type ApiApp } from '../../apps/api/src/bootstrap.js';
import { InProcessLiveBus } from '../../apps/api/src/live/in-process-bus.js';

export interface TestApi {
  api: ApiApp;
  bus: InProcessLiveBus;
  config: NicscopeConfig;
  clickhouse: ClickHouseClient;
  adminToken: string;
  wsUrl: string;
  dir: string;
  close(): Promise<void>;
}

export async function openChdb(dir: string): Promise<ClickHouseClient> {
  const { createChdbConnection } = await import('chdb/connection');
  return createClient({ connection: createChdbConnection({ path: join(dir, 'chdb') }) } as never);
}

export async function startTestApi(env: Record<string, string> = {}, clickhouse?: ClickHouseClient): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-api-'));
  const { config } = loadConfig({ NICSCOPE_DATA_DIR: dir, NICSCOPE_API_PORT: '0', ...env });
  const ch = clickhouse ?? (await openChdb(dir));
  const bus = new InProcessLiveBus();
  const api = await createApiApp({ config, clickhouse: ch, live: bus, logger: false });
  if (!api.firstStartToken) throw new Error('expected a first-start admin token');
  return {
    api,
    bus,
    config,
    clickhouse: ch,
    adminToken: api.firstStartToken,
    wsUrl: `${api.url.replace(/^http/, 'ws')}/ws`,
    dir,
    async close() {
      await api.close();
      if (!clickhouse) await ch.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `ws` client that records every server message and can wait for one. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  frames = 0;
  closeCode: number | undefined;
  closeReason = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse((data as Buffer).toString()) as ServerMessage;
      if (msg.type === 'frames') this.frames += msg.frames.length;
      this.messages.push(msg);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(url: string, token: string | undefined, opts: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(url, { headers, ...opts });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits until `pred` holds over the messages received so far. */
  async until(pred: (c: TestClient) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  of<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  close(): void {
    this.ws.close();
  }
}

/** An Ethernet/IPv4/UDP frame as hex (checksum 0 = none for UDP), from 10.200.9.1 to 10.200.9.2. */
export function udpFrameHex(
  sport: number,
  dport: number,
  payloadLen = 16,
  srcMac = '02aa00000001',
  dstMac = '02aa00000002',
): string {
  const ipLen = 20 + 8 + payloadLen;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(ipLen, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([10, 200, 9, 1]).copy(ip, 12);
  Buffer.from([10, 200, 9, 2]).copy(ip, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payloadLen, 4);
  const payload = Buffer.alloc(payloadLen, 0x61);
  return `${dstMac}${srcMac}0800${ip.toString('hex')}${udp.toString('hex')}${payload.toString('hex')}`;
}

export function tcpSynHex(sport: number, dport: number): string {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(40, 2);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from([10, 200, 9, 1]).copy(ip, 12);
  Buffer.from([10, 200, 9, 2]).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp[12] = 0x50;
  tcp[13] = 0x02;
  tcp.writeUInt16BE(65535, 14);
  return `02aa0000000202aa000000010800${ip.toString('hex')}${tcp.toString('hex')}`;
}
