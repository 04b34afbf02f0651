/**
 * ovs-vswitchd control client — the one adapter for the unixctl endpoint. Finds the control socket
 * `<rundir>/ovs-vswitchd.<pid>.ctl` from the pidfile, speaks JSON-RPC to it (every param a string,
 * the result the text ovs-appctl would print) and follows a restart: when the pidfile names a new
 * pid, the old connection is dropped and the new socket used. No process is spawned.
 */
import { readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectionClosedError, JsonRpcConnection } from '../rpc/jsonrpc.js';
import { stringifyJson } from '../rpc/json.js';

export class OvsNotRunningError extends Error {
  override name = 'OvsNotRunningError';
}

export interface VswitchdControlOptions {
  rundir: string;
  /** Daemon name: `ovs-vswitchd` (also works for `ovsdb-server`). */
  target?: string;
  timeoutMs?: number;
}

export class VswitchdControl {
  private conn: JsonRpcConnection | undefined;
  private connPid: number | undefined;
  private readonly target: string;
  /** Number of times a new pid was seen after the first one. */
  restarts = 0;
  private firstPid: number | undefined;

  constructor(private readonly opts: VswitchdControlOptions) {
    this.target = opts.target ?? 'ovs-vswitchd';
  }

  get pidfile(): string {
    return join(this.opts.rundir, `${this.target}.pid`);
  }

  /** The pid the current connection talks to (undefined before the first call). */
  get pid(): number | undefined {
    return this.connPid;
  }

  async readPid(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.pidfile, 'utf8');
    } catch {
      throw new OvsNotRunningError(`${this.target} is not running: no ${this.pidfile}`);
    }
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0)
      throw new OvsNotRunningError(`${this.pidfile}: not a pid: ${JSON.stringify(text.trim())}`);
    return pid;
  }

  private async connection(): Promise<JsonRpcConnection> {
    const pid = await this.readPid();
    if (this.conn?.isOpen && this.connPid === pid) return this.conn;
    this.conn?.close();
    this.conn = undefined;
    const path = join(this.opts.rundir, `${this.target}.${pid}.ctl`);
    try {
      await access(path);
    } catch {
      throw new OvsNotRunningError(`${this.target} is not running: no control socket ${path}`);
    }
    this.conn = await JsonRpcConnection.connect({ kind: 'unix', path }, {}, this.opts.timeoutMs ?? 5_000);
    if (this.firstPid === undefined) this.firstPid = pid;
    else if (this.connPid !== undefined && this.connPid !== pid) this.restarts++;
    this.connPid = pid;
    return this.conn;
  }

  /** Runs one unixctl command and returns its text; an error reply throws JsonRpcError. */
  async call(method: string, ...params: string[]): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.connection();
      try {
        const r = await conn.request(method, params, this.opts.timeoutMs ?? 10_000);
        return typeof r === 'string' ? r : stringifyJson(r);
      } catch (e) {
        // The daemon went away between the pid read and the request: look again once.
        if (e instanceof ConnectionClosedError && attempt === 0) continue;
        throw e;
      }
    }
  }

  close(): void {
    this.conn?.close();
    this.conn = undefined;
  }
}
