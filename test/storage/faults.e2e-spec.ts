/**
 * Storage over HTTP with faults: a real ClickHouse engine (chDB in a child process) behind a real
 * HTTP endpoint (test/support/ch-http.ts), reached through a TCP proxy the test cuts and restores.
 * Loopback only; no root needed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectorHealth,
  flows,
  FLOWS_GROUP,
  Storage,
  StorageError,
  type StorageConfig,
  type StorageLogger,
} from '@nicscope/storage';
import { bundleFixture } from '../support/bundle.js';
import { ChHttpServer, TcpProxy } from '../support/ch-http.js';
import { currentRunId, runDir } from '../support/run.js';
import { sleep, waitFor } from '../support/exec.js';

const ROOT = join(__dirname, '..', '..');

const USER = 'nicscope';
const PASSWORD = 's3cret';
const DB = 'faults';
const NOW = BigInt(Date.now()) * 1_000_000n;

function cfg(
  dataDir: string,
  url: string,
  over: Partial<StorageConfig['storage']> = {},
  password = PASSWORD,
): StorageConfig {
  return {
    dataDir,
    clickhouse: { url, user: USER, password, database: DB, cluster: '', requestTimeoutMs: 5000 },
    storage: {
      flushRows: 200,
      flushIntervalMs: 50,
      spoolMaxMb: 64,
      ttlRawDays: 7,
      ttlRollupDays: 90,
      insertRetries: 1,
      ...over,
    },
  };
}

interface ChildMsg {
  state?: string;
  spooled?: number;
  written?: number;
  done?: number;
}

interface Child {
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Resolves with the first message (from now on, or already seen) that matches. */
  next(match: (m: ChildMsg) => boolean, timeoutMs?: number): Promise<ChildMsg>;
}

function startWriter(bundle: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [bundle], {
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      COLLECTOR: 'w1',
      NOW_NS: String(NOW),
      CH_USER: USER,
      CH_PASSWORD: PASSWORD,
      DB,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen: ChildMsg[] = [];
  const waiters: { match: (m: ChildMsg) => boolean; resolve: (m: ChildMsg) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = JSON.parse(line) as ChildMsg;
    seen.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    exit,
    next: (match, timeoutMs = 30_000) => {
      const hit = seen.find(match);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`writer child: no matching message in ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(t);
            resolve(m);
          },
        });
        void exit.then((code) => {
          clearTimeout(t);
          reject(new Error(`writer child exited (${String(code)}) before the message; stderr: ${stderr}`));
        });
      });
    },
  };
}

class Lines implements StorageLogger {
  readonly lines: string[] = [];
  info(o: object, m?: string): void {
    this.lines.push(`info ${m} ${JSON.stringify(o)}`);
  }
  warn(o: object, m?: string): void {
    this.lines.push(`warn ${m} ${JSON.stringify(o)}`);
  }
  error(o: object, m?: string): void {
    this.lines.push(`error ${m} ${JSON.stringify(o)}`);
  }
}

/** Writes flows with ids [from, to) in batches, yielding between rows so timers and inserts run. */
async function writeFlows(s: Storage, collector: string, from: number, to: number): Promise<void> {
  const w = s.writer(flows);
  for (let id = from; id < to; id++) {
    const r = w.row;
    r.setTs(NOW + BigInt(id));
    r.setCollector(collector);
    r.setRecordType('final');
    r.setFlowId(id);
    r.setIface('eth0');
    r.setProto(17);
    r.setSrcIp(`10.200.${(id >> 8) & 255}.${id & 255}`);
    r.setDstIp('10.200.255.1');
    r.setPacketsDeltaFwd(1);
    r.setBytesDeltaFwd(100);
    if (!w.finalize()) await w.drain();
    if (id % 50 === 0) await sleep(1);
  }
}

async function countFlows(s: Storage, collector: string): Promise<{ n: number; ids: number }> {
  const r = await s.ch.query<{ n: string; ids: string }>(
    `SELECT count() AS n, uniqExact(flow_id) AS ids FROM ${DB}.flows WHERE collector = '${collector}'`,
  );
  return { n: Number(r[0]!.n), ids: Number(r[0]!.ids) };
}

describe('Storage over HTTP with faults', () => {
  const base = join(runDir(currentRunId()), `storage-faults-${process.pid}`);
  let server: ChHttpServer;
  let proxy: TcpProxy;
  let reader: Storage;
  let bundle: string;

  beforeAll(async () => {
    mkdirSync(base, { recursive: true });
    bundle = await bundleFixture('test/storage/fixtures/writer-child.ts', join(base, 'writer-child.cjs'));
    server = await ChHttpServer.start({ dataDir: join(base, 'server'), user: USER, password: PASSWORD });
    proxy = new TcpProxy(server.port);
    await proxy.listen();
    // A second storage straight to the server (not through the proxy), to count rows.
    reader = await Storage.open(cfg(join(base, 'reader'), server.url));
  });
  afterAll(async () => {
    await reader?.close();
    await proxy?.cut();
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('keeps every flow row exactly once when the database disappears during writes, the writer process restarts during the outage, and lost answers are retried', async () => {
    const dir = join(base, 'w1');
    const run = (from: number, to: number): Child =>
      startWriter(bundle, { DATA_DIR: dir, URL: proxy.url, FROM: String(from), TO: String(to) });
    // Process 1 writes; two answers get lost; then the database disappears mid-stream; then SIGTERM.
    const a = run(0, 1_000_000);
    expect(await a.next((m) => m.state !== undefined)).toMatchObject({ state: 'ready', spooled: 0 });
    await a.next((m) => (m.written ?? 0) >= 600);
    proxy.swallowResponses(2);
    await a.next((m) => (m.written ?? 0) >= 1500);
    await proxy.cut();
    await a.next((m) => (m.written ?? 0) >= 2500);
    a.child.kill('SIGTERM');
    const endA = await a.next((m) => m.done !== undefined);
    expect(await a.exit).toBe(0);
    expect(endA.spooled).toBeGreaterThan(0);
    const k = endA.done!;
    // Process 2 starts during the outage, finds the spool, writes more; the database comes back.
    const b = run(k, k + 1000);
    expect(await b.next((m) => m.state !== undefined)).toMatchObject({ state: 'spooling' });
    await b.next((m) => (m.written ?? 0) >= k + 300);
    await proxy.restore();
    const endB = await b.next((m) => m.done !== undefined);
    expect(await b.exit).toBe(0);
    expect(endB).toEqual({ done: k + 1000, spooled: 0 });
    expect(await countFlows(reader, 'w1')).toEqual({ n: k + 1000, ids: k + 1000 });
  });

  it('starts while the database is unreachable, spools, says so, and delivers once it answers', async () => {
    await proxy.cut();
    const logs = new Lines();
    const s = await Storage.open(cfg(join(base, 'w2'), proxy.url), { logger: logs });
    try {
      expect(s.state).toBe('spooling');
      expect(s.migrated).toBe(false);
      const warn = logs.lines.find((l) => l.startsWith('warn'));
      expect(warn).toMatch(
        /ClickHouse at http:\/\/127\.0\.0\.1:\d+ does not answer; collecting anyway, batches go to the spool/,
      );
      expect(warn).toMatch(/unreachable/);
      await writeFlows(s, 'w2', 0, 500);
      await s.writer(flows).flushNow();
      expect(s.spool.batches).toBeGreaterThan(0);
      expect(s.health().spool_bytes).toBeGreaterThan(0);
      await proxy.restore();
      await waitFor(() => s.migrated && s.spool.empty, 'spool replayed', 30_000);
      expect(await countFlows(reader, 'w2')).toEqual({ n: 500, ids: 500 });
    } finally {
      await s.close();
    }
  });

  it('refuses wrong credentials with an error that says so', async () => {
    const err = await Storage.open(cfg(join(base, 'w3'), proxy.url, {}, 'wrong')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('auth');
    expect((err as StorageError).message).toMatch(
      /^ClickHouse at http:\/\/127\.0\.0\.1:\d+ refused the credentials: wrong user or password \(ClickHouse code 516, AUTHENTICATION_FAILED\)/,
    );
  });

  it('counts what a full spool drops, reports it in collector_health, and delivers the rest', async () => {
    const s = await Storage.open(cfg(join(base, 'w4'), proxy.url, { spoolMaxMb: 1, flushRows: 1000 }));
    try {
      await proxy.cut();
      // ~120 bytes a row: 20k rows ≈ 2.4 MB, more than the 1 MiB cap.
      await writeFlows(s, 'w4', 0, 20_000);
      await s.writer(flows).flushNow();
      const h = s.health();
      expect(h.spool_dropped_batches).toBeGreaterThan(0);
      expect(h.spool_dropped_rows).toBeGreaterThanOrEqual(h.spool_dropped_batches);
      // A batch holds at most FLOWS_GROUP × flushRows rows: a flows batch grown during an insert,
      // or the rollups gathered over several flows batches (decision 0413).
      expect(h.spool_dropped_rows).toBeLessThanOrEqual(h.spool_dropped_batches * FLOWS_GROUP * 1000);
      expect(h.spool_bytes).toBeLessThanOrEqual(1024 * 1024);
      await proxy.restore();
      expect(await s.drainSpool(30_000)).toBe(true);
      s.writer(collectorHealth).append({ ts: BigInt(Date.now()) * 1_000_000n, collector: 'w4', ...s.health() });
      await s.writer(collectorHealth).flushNow();
      // The cap dropped flows batches and rollup batches; the flows that are left are all there.
      const droppedFlows = s.spool.counters.droppedRowsByTable[`\`${DB}\`.\`flows\``] ?? 0;
      expect(droppedFlows).toBeGreaterThan(0);
      expect(droppedFlows).toBeLessThanOrEqual(h.spool_dropped_rows);
      expect(await countFlows(reader, 'w4')).toEqual({ n: 20_000 - droppedFlows, ids: 20_000 - droppedFlows });
      const rows = await reader.ch.query<{ d: string }>(
        `SELECT spool_dropped_rows AS d FROM ${DB}.collector_health WHERE collector = 'w4'`,
      );
      expect(rows).toEqual([{ d: String(h.spool_dropped_rows) }]);
    } finally {
      await s.close();
    }
  });
});
