/**
 * OVSDB client (RFC 7047) — the one adapter for the OVSDB endpoint. Keeps an in-memory view of the
 * monitored tables (Open_vSwitch, Bridge, Port, Interface by default) with `monitor_cond`
 * (`update2` diffs), falling back to `monitor` (`update`) on servers without it. Reconnects with
 * exponential backoff and re-monitors; on a resync the view is replaced and the differences are
 * emitted as change events, so a listener never sees a stale row.
 */
import { JsonRpcConnection, JsonRpcError, parseRemote, remoteToString, type Remote } from '../rpc/jsonrpc.js';
import { type JsonValue } from '../rpc/json.js';
import { applyDiff, decodeRow, schemaTypes, type OvsdbRow, type TableTypes } from './datum.js';

export const DEFAULT_MONITOR: Readonly<Record<string, readonly string[]>> = {
  Open_vSwitch: ['bridges', 'ovs_version', 'db_version', 'datapath_types', 'iface_types', 'external_ids', 'cur_cfg'],
  Bridge: ['name', 'ports', 'datapath_type', 'datapath_id', 'external_ids', 'fail_mode'],
  Port: ['name', 'interfaces', 'tag', 'trunks', 'external_ids'],
  Interface: [
    'name',
    'type',
    'ofport',
    'statistics',
    'external_ids',
    'mac_in_use',
    'link_state',
    'admin_state',
    'error',
    'options',
  ],
};

export type ChangeKind = 'insert' | 'modify' | 'delete';

export interface OvsdbChange {
  table: string;
  uuid: string;
  kind: ChangeKind;
  /** The row after the change (absent for delete). */
  row?: OvsdbRow;
  /** The row before the change (absent for insert). */
  old?: OvsdbRow;
  /** Emitted by a (re)connection's initial view rather than a live update. */
  resync?: boolean;
}

export type OvsdbState = 'connecting' | 'synced' | 'disconnected' | 'stopped';

export interface OvsdbClientOptions {
  /** `unix:PATH` or `tcp:HOST:PORT`. */
  remote: string;
  database?: string;
  tables?: Readonly<Record<string, readonly string[]>>;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  /** Send an `echo` after this much silence and reconnect when it gets no reply (a dead TCP peer). 0 = off. */
  probeIntervalMs?: number;
  /** Force the RFC 7047 `monitor` method (tests of the fallback). */
  forceMonitorV1?: boolean;
}

export interface OvsdbClientStats {
  connects: number;
  disconnects: number;
  failedConnects: number;
  updates: number;
  method: 'monitor_cond' | 'monitor' | '';
  lastError: string;
}

type View = Map<string, Map<string, OvsdbRow>>;

export class OvsdbClient {
  readonly remote: Remote;
  private readonly database: string;
  private readonly tables: Readonly<Record<string, readonly string[]>>;
  private conn: JsonRpcConnection | undefined;
  private types: TableTypes = new Map();
  private viewData: View = new Map();
  private stopped = true;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private monitorSeq = 0;
  private monitorId = '';
  private st: OvsdbState = 'stopped';
  private early: Array<[string, JsonValue]> = [];
  private readonly changeListeners = new Set<(c: OvsdbChange) => void>();
  private readonly stateListeners = new Set<(s: OvsdbState, detail: string) => void>();
  readonly stats: OvsdbClientStats = {
    connects: 0,
    disconnects: 0,
    failedConnects: 0,
    updates: 0,
    method: '',
    lastError: '',
  };

  constructor(private readonly opts: OvsdbClientOptions) {
    this.remote = parseRemote(opts.remote);
    this.database = opts.database ?? 'Open_vSwitch';
    this.tables = opts.tables ?? DEFAULT_MONITOR;
    this.backoff = opts.backoffMinMs ?? 100;
  }

  get state(): OvsdbState {
    return this.st;
  }

  /** The monitored rows by table and uuid. Read-only for callers. */
  get view(): ReadonlyMap<string, ReadonlyMap<string, OvsdbRow>> {
    return this.viewData;
  }

  rows(table: string): ReadonlyMap<string, OvsdbRow> {
    return this.viewData.get(table) ?? new Map();
  }

  onChange(fn: (c: OvsdbChange) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  onState(fn: (s: OvsdbState, detail: string) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connectOnce();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.probeTimer);
    this.conn?.close();
    this.conn = undefined;
    this.setState('stopped', '');
  }

  /** Resolves when the view is synced (now or after the next (re)connection). */
  whenSynced(timeoutMs = 10_000): Promise<void> {
    if (this.st === 'synced') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(
          new Error(
            `OVSDB ${remoteToString(this.remote)}: not synced within ${timeoutMs} ms${this.stats.lastError ? ` (${this.stats.lastError})` : ''}`,
          ),
        );
      }, timeoutMs);
      const off = this.onState((s) => {
        if (s === 'synced') {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    });
  }

  private setState(s: OvsdbState, detail: string): void {
    this.st = s;
    for (const fn of this.stateListeners) fn(s, detail);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs ?? 5_000);
    this.timer = setTimeout(() => void this.connectOnce(), delay);
  }

  private async connectOnce(): Promise<void> {
    if (this.stopped) return;
    this.early = [];
    this.setState('connecting', remoteToString(this.remote));
    const holder: { c?: JsonRpcConnection } = {};
    let conn: JsonRpcConnection;
    try {
      conn = await JsonRpcConnection.connect(this.remote, {
        onNotification: (m, p) => holder.c && this.onNotification(holder.c, m, p),
        onClose: (err) => holder.c && this.onClose(holder.c, err),
      });
      holder.c = conn;
    } catch (e) {
      this.stats.failedConnects++;
      this.stats.lastError = (e as Error).message;
      this.setState('disconnected', this.stats.lastError);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      conn.close();
      return;
    }
    this.conn = conn;
    this.stats.connects++;
    try {
      const timeout = this.opts.requestTimeoutMs ?? 10_000;
      this.types = schemaTypes(await conn.request('get_schema', [this.database], timeout));
      this.monitorId = `nicscope-${++this.monitorSeq}`;
      const initial = await this.monitor(conn, timeout);
      this.resync(initial);
      this.st = 'synced';
      const early = this.early;
      this.early = [];
      for (const [m, p] of early) this.onNotification(conn, m, p);
      this.backoff = this.opts.backoffMinMs ?? 100;
      this.startProbe(conn);
      this.setState('synced', this.stats.method);
    } catch (e) {
      this.stats.lastError = (e as Error).message;
      conn.close();
    }
  }

  private async monitor(conn: JsonRpcConnection, timeout: number): Promise<View> {
    const cond: Record<string, JsonValue> = {};
    const v1: Record<string, JsonValue> = {};
    for (const [t, cols] of Object.entries(this.tables)) {
      const have = this.types.get(t);
      if (!have) continue;
      const columns = cols.filter((c) => have.has(c));
      cond[t] = [{ columns }];
      v1[t] = { columns };
    }
    if (!this.opts.forceMonitorV1) {
      try {
        const r = await conn.request('monitor_cond', [this.database, this.monitorId, cond], timeout);
        this.stats.method = 'monitor_cond';
        return this.applyUpdates2(new Map<string, Map<string, OvsdbRow>>(), r, false);
      } catch (e) {
        if (!(e instanceof JsonRpcError)) throw e;
      }
    }
    const r = await conn.request('monitor', [this.database, this.monitorId, v1], timeout);
    this.stats.method = 'monitor';
    return this.applyUpdates1(new Map<string, Map<string, OvsdbRow>>(), r, false);
  }

  private startProbe(conn: JsonRpcConnection): void {
    const every = this.opts.probeIntervalMs ?? 30_000;
    clearInterval(this.probeTimer);
    if (every <= 0) return;
    this.lastHeard = Date.now();
    this.probeTimer = setInterval(() => {
      if (conn !== this.conn) return;
      if (Date.now() - this.lastHeard < every) return;
      conn.request('echo', [], every).then(
        () => (this.lastHeard = Date.now()),
        () => {
          this.stats.lastError = `no reply to echo within ${every} ms`;
          conn.close();
        },
      );
    }, every);
    this.probeTimer.unref();
  }

  private onNotification(conn: JsonRpcConnection, method: string, params: JsonValue): void {
    this.lastHeard = Date.now();
    if (conn !== this.conn || !Array.isArray(params) || params.length < 2) return;
    if (params[0] !== this.monitorId) return;
    if (this.st !== 'synced') {
      // An update that arrived in the same read as the monitor reply: apply it after the initial view.
      this.early.push([method, params]);
      return;
    }
    try {
      if (method === 'update2') this.applyUpdates2(this.viewData, params[1]!, true);
      else if (method === 'update') this.applyUpdates1(this.viewData, params[1]!, true);
      else return;
      this.stats.updates++;
    } catch (e) {
      // A malformed update leaves the view unknown: resync from scratch.
      this.stats.lastError = `bad ${method}: ${(e as Error).message}`;
      conn.close();
    }
  }

  private onClose(conn: JsonRpcConnection, err: Error | undefined): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    clearInterval(this.probeTimer);
    this.stats.disconnects++;
    if (err) this.stats.lastError = err.message;
    if (this.stopped) return;
    this.setState('disconnected', err?.message ?? 'closed by peer');
    this.scheduleReconnect();
  }

  private table(view: View, t: string): Map<string, OvsdbRow> {
    let m = view.get(t);
    if (!m) view.set(t, (m = new Map<string, OvsdbRow>()));
    return m;
  }

  private emit(c: OvsdbChange): void {
    for (const fn of this.changeListeners) fn(c);
  }

  private applyUpdates2(view: View, updates: JsonValue, live: boolean): View {
    if (updates === null || typeof updates !== 'object' || Array.isArray(updates))
      throw new Error('table-updates2 is not an object');
    for (const [t, rows] of Object.entries(updates)) {
      if (rows === null || typeof rows !== 'object' || Array.isArray(rows)) continue;
      const cols = this.types.get(t);
      const tab = this.table(view, t);
      for (const [uuid, u] of Object.entries(rows)) {
        if (u === null || typeof u !== 'object' || Array.isArray(u)) continue;
        const old = tab.get(uuid);
        if (u.initial !== undefined || u.insert !== undefined) {
          const row = decodeRow(u.initial ?? u.insert!, cols);
          tab.set(uuid, row);
          if (live) this.emit({ table: t, uuid, kind: 'insert', row });
        } else if (u.delete !== undefined) {
          tab.delete(uuid);
          if (live) this.emit({ table: t, uuid, kind: 'delete', old });
        } else if (
          u.modify !== undefined &&
          u.modify !== null &&
          typeof u.modify === 'object' &&
          !Array.isArray(u.modify)
        ) {
          const row: OvsdbRow = { ...old };
          for (const [c, diff] of Object.entries(u.modify)) row[c] = applyDiff(old?.[c], diff, cols?.get(c));
          tab.set(uuid, row);
          if (live) this.emit({ table: t, uuid, kind: old ? 'modify' : 'insert', row, old });
        }
      }
    }
    return view;
  }

  private applyUpdates1(view: View, updates: JsonValue, live: boolean): View {
    if (updates === null || typeof updates !== 'object' || Array.isArray(updates))
      throw new Error('table-updates is not an object');
    for (const [t, rows] of Object.entries(updates)) {
      if (rows === null || typeof rows !== 'object' || Array.isArray(rows)) continue;
      const cols = this.types.get(t);
      const tab = this.table(view, t);
      for (const [uuid, u] of Object.entries(rows)) {
        if (u === null || typeof u !== 'object' || Array.isArray(u)) continue;
        const old = tab.get(uuid);
        if (u.new === undefined) {
          tab.delete(uuid);
          if (live) this.emit({ table: t, uuid, kind: 'delete', old });
        } else {
          const row: OvsdbRow = { ...old, ...decodeRow(u.new, cols) };
          tab.set(uuid, row);
          if (live) this.emit({ table: t, uuid, kind: old ? 'modify' : 'insert', row, old });
        }
      }
    }
    return view;
  }

  /** Replaces the view after a (re)connection and emits what changed against the previous one. */
  private resync(next: View): void {
    const prev = this.viewData;
    this.viewData = next;
    for (const [t, rows] of next) {
      const before = prev.get(t);
      for (const [uuid, row] of rows) {
        const old = before?.get(uuid);
        this.emit({ table: t, uuid, kind: old ? 'modify' : 'insert', row, old, resync: true });
      }
    }
    for (const [t, rows] of prev) {
      const after = next.get(t);
      for (const [uuid, old] of rows)
        if (!after?.has(uuid)) this.emit({ table: t, uuid, kind: 'delete', old, resync: true });
    }
  }
}
