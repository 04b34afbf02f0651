/**
 * Storage over HTTP with faults: a real ClickHouse engine (chDB in a child process) behind a real
 * HTTP endpoint (test/support/ch-http.ts), reached through a TCP proxy the test cuts and restores.
 * Loopback only; no root needed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectorHealth,
  flows,
  Storage,
  StorageError,
  type StorageConfig,
  type StorageLogger,
} from '@nicscope/storage';
import { ChHttpServer, TcpProxy } from '../support/ch-http.js';
import { currentRunId, runDir } from '../support/run.js';
import { sleep, waitFor } from '../support/exec.js';

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

  beforeAll(async () => {
    mkdirSync(base, { recursive: true });
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

  it('keeps every flow row exactly once when the database disappears during writes, the writer restarts during the outage, and lost answers are retried', async () => {
    const dir = join(base, 'w1');
    let s = await Storage.open(cfg(dir, proxy.url));
    expect(s.state).toBe('ready');
    await writeFlows(s, 'w1', 0, 1000);
    // Two inserts reach the database but their answers are lost: retries carry the same token.
    proxy.swallowResponses(2);
    await writeFlows(s, 'w1', 1000, 2000);
    await s.writer(flows).flushNow();
    // Both lost answers were attempts that the database had carried out (retried, then spooled and replayed).
    expect(s.writer(flows).counters.insertErrors).toBeGreaterThanOrEqual(2);
    // The database disappears while rows are being written and batches are in flight.
    const writing = writeFlows(s, 'w1', 2000, 3000);
    await sleep(40);
    await proxy.cut();
    await writing;
    // Graceful restart during the outage: what is buffered goes to the spool.
    await s.close();
    expect(s.spool.batches).toBeGreaterThan(0);
    const logs = new Lines();
    s = await Storage.open(cfg(dir, proxy.url), { logger: logs });
    expect(s.state).toBe('spooling');
    expect(s.spool.batches).toBeGreaterThan(0);
    await writeFlows(s, 'w1', 3000, 4000);
    await s.writer(flows).flushNow();
    await proxy.restore();
    expect(await s.drainSpool(30_000)).toBe(true);
    await writeFlows(s, 'w1', 4000, 5000);
    await s.close();
    expect(await countFlows(reader, 'w1')).toEqual({ n: 5000, ids: 5000 });
    expect(logs.lines.some((l) => l.includes('answers again; spool replayed'))).toBe(true);
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
      expect(h.spool_dropped_rows).toBeLessThanOrEqual(h.spool_dropped_batches * 1000);
      expect(h.spool_bytes).toBeLessThanOrEqual(1024 * 1024);
      await proxy.restore();
      expect(await s.drainSpool(30_000)).toBe(true);
      s.writer(collectorHealth).append({ ts: BigInt(Date.now()) * 1_000_000n, collector: 'w4', ...s.health() });
      await s.writer(collectorHealth).flushNow();
      expect(await countFlows(reader, 'w4')).toEqual({
        n: 20_000 - h.spool_dropped_rows,
        ids: 20_000 - h.spool_dropped_rows,
      });
      const rows = await reader.ch.query<{ d: string }>(
        `SELECT spool_dropped_rows AS d FROM ${DB}.collector_health WHERE collector = 'w4'`,
      );
      expect(rows).toEqual([{ d: String(h.spool_dropped_rows) }]);
    } finally {
      await s.close();
    }
  });
});
