/**
 * One JSON-RPC 1.0 connection over a stream socket (unix or TCP), as OVSDB (RFC 7047) and the OVS
 * unixctl server speak it: requests `{method, params, id}`, replies `{id, result, error}`,
 * notifications `{method, params, id: null}`, and `echo` requests from the peer answered at once.
 * Messages are concatenated JSON without a delimiter, cut by `JsonStreamFramer`.
 */
import { createConnection, type Socket } from 'node:net';
import { JsonStreamFramer, OvsJsonError, parseJson, stringifyJson, type JsonValue } from './json.js';

export type Remote = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** `unix:PATH`, `tcp:HOST:PORT` (IPv6 as `tcp:[::1]:6640`), or a bare path. */
export function parseRemote(s: string): Remote {
  if (s.startsWith('unix:')) return { kind: 'unix', path: s.slice(5) };
  const m = /^tcp:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (m) return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  if (s.startsWith('/')) return { kind: 'unix', path: s };
  throw new Error(`OVS remote ${JSON.stringify(s)}: expected unix:PATH or tcp:HOST:PORT`);
}

export function remoteToString(r: Remote): string {
  return r.kind === 'unix' ? `unix:${r.path}` : `tcp:${r.host}:${r.port}`;
}

export class JsonRpcError extends Error {
  override name = 'JsonRpcError';
  constructor(
    readonly method: string,
    readonly error: JsonValue,
  ) {
    super(`${method}: ${typeof error === 'string' ? error.trim() : stringifyJson(error)}`);
  }
}

export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
}

interface Pending {
  method: string;
  resolve: (v: JsonValue) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface JsonRpcHandlers {
  onNotification?: (method: string, params: JsonValue) => void;
  onClose?: (err: Error | undefined) => void;
}

export class JsonRpcConnection {
  private readonly framer = new JsonStreamFramer();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Messages that could not be parsed or matched (counted, never thrown). */
  badMessages = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: JsonRpcHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.shutdown(e));
    socket.on('close', () => this.shutdown(undefined));
  }

  static connect(remote: Remote, handlers: JsonRpcHandlers = {}, timeoutMs = 5_000): Promise<JsonRpcConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        remote.kind === 'unix' ? createConnection(remote.path) : createConnection(remote.port, remote.host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${remoteToString(remote)}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new JsonRpcConnection(socket, handlers));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  request(method: string, params: JsonValue[], timeoutMs = 10_000): Promise<JsonValue> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(`${method}: connection closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.socket.write(stringifyJson({ id: BigInt(id), method, params }));
    });
  }

  close(): void {
    this.socket.destroy();
    this.shutdown(undefined);
  }

  private onData(chunk: Buffer): void {
    let texts: string[];
    try {
      texts = this.framer.push(chunk);
    } catch (e) {
      this.socket.destroy();
      this.shutdown(e as Error);
      return;
    }
    for (const t of texts) {
      let msg: JsonValue;
      try {
        msg = parseJson(t);
      } catch (e) {
        if (!(e instanceof OvsJsonError)) throw e;
        this.badMessages++;
        continue;
      }
      this.dispatch(msg);
    }
  }

  private dispatch(msg: JsonValue): void {
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.badMessages++;
      return;
    }
    const method = msg.method;
    if (typeof method === 'string') {
      const params = msg.params ?? null;
      if (method === 'echo' && msg.id !== null && msg.id !== undefined) {
        this.socket.write(stringifyJson({ id: msg.id, result: params, error: null }));
        return;
      }
      if (msg.id === null || msg.id === undefined) this.handlers.onNotification?.(method, params);
      return;
    }
    const id = msg.id;
    const n = typeof id === 'bigint' ? Number(id) : typeof id === 'number' ? id : NaN;
    const p = this.pending.get(n);
    if (!p) {
      this.badMessages++;
      return;
    }
    this.pending.delete(n);
    clearTimeout(p.timer);
    const error = msg.error ?? null;
    if (error !== null) p.reject(new JsonRpcError(p.method, error));
    else p.resolve(msg.result ?? null);
  }

  private shutdown(err: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.framer.reset();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(`${p.method}: connection closed${err ? ` (${err.message})` : ''}`));
    }
    this.pending.clear();
    this.handlers.onClose?.(err);
  }
}
