/**
 * Flow rows/s into embedded chDB and over HTTP (the ClickHouse-compatible test endpoint of
 * test/support/ch-http.ts: chDB in a child process behind HTTP), through the storage writer
 * (columnar builder → RowBinary → insert), next to the raw `client.insert` rate of the same rows by
 * @clickhouse/client alone (JSONEachRow and JSONCompactEachRow) in the same run.
 * Run: npm run bench -- bench/storage.bench.ts   (figures also in bench/out/storage.json)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, expect, it } from 'vitest';
import { createRowBuilder, flows, insertColumns, Storage, type FlowRow, type StorageConfig } from '@nicscope/storage';
import { ChHttpServer } from '../test/support/ch-http.js';

const N = Number(process.env.NICSCOPE_BENCH_ROWS ?? 500_000);
const BATCH = 100_000;
const NOW = BigInt(Date.now()) * 1_000_000n;

function makeRows(n: number): FlowRow[] {
  const rows: FlowRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      ts: NOW + BigInt(i),
      collector: 'bench',
      record_type: i % 4 === 0 ? 'final' : 'interim',
      flow_id: i,
      iface: `veth${i % 16}`,
      vlan: i % 8,
      tunnel_type: '',
      tunnel_id: 0,
      proto: i % 3 ? 6 : 17,
      src_ip: (0x0ac80000 | (i & 0xffff)) >>> 0,
      src_port: 1024 + (i % 60000),
      dst_ip: 0x0ac8ff01,
      dst_port: 443,
      src_mac: 0x020000000000 + (i % 256),
      dst_mac: 0x020000000100,
      packets_fwd: i,
      bytes_fwd: i * 1000,
      packets_rev: i,
      bytes_rev: i * 900,
      packets_delta_fwd: 10,
      bytes_delta_fwd: 10_000,
      packets_delta_rev: 9,
      bytes_delta_rev: 9_000,
      first_ts: NOW - 5_000_000_000n,
      last_ts: NOW + BigInt(i),
      tcp_flags_fwd: 0x1b,
      tcp_flags_rev: 0x1b,
      rtt_us: 120,
      retransmits: 0,
      end_reason: i % 4 === 0 ? 'idle' : '',
    });
  }
  return rows;
}

const ipText = (n: number): string => `::ffff:${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const tsText = (ns: bigint): string => `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;

/** The same rows as the JSON the raw client sends (built before timing). */
function jsonRows(rows: FlowRow[]): { objects: Record<string, unknown>[]; arrays: unknown[][] } {
  const cols = insertColumns(flows);
  const objects = rows.map((r) => {
    const o: Record<string, unknown> = { ...r };
    for (const k of ['ts', 'first_ts', 'last_ts'] as const) o[k] = tsText(r[k]);
    o.src_ip = ipText(r.src_ip as number);
    o.dst_ip = ipText(r.dst_ip as number);
    return o;
  });
  return { objects, arrays: objects.map((o) => cols.map((c) => o[c])) };
}

function fill(w: { row: unknown }, r: FlowRow): void {
  const b = w.row as ReturnType<typeof createRowBuilder<typeof flows>>;
  b.setTs(r.ts);
  b.setCollector(r.collector);
  b.setRecordType(r.record_type);
  b.setFlowId(r.flow_id);
  b.setIface(r.iface);
  b.setVlan(r.vlan);
  b.setTunnelType(r.tunnel_type);
  b.setTunnelId(r.tunnel_id);
  b.setProto(r.proto);
  b.setSrcIp(r.src_ip);
  b.setSrcPort(r.src_port);
  b.setDstIp(r.dst_ip);
  b.setDstPort(r.dst_port);
  b.setSrcMac(r.src_mac);
  b.setDstMac(r.dst_mac);
  b.setPacketsFwd(r.packets_fwd);
  b.setBytesFwd(r.bytes_fwd);
  b.setPacketsRev(r.packets_rev);
  b.setBytesRev(r.bytes_rev);
  b.setPacketsDeltaFwd(r.packets_delta_fwd);
  b.setBytesDeltaFwd(r.bytes_delta_fwd);
  b.setPacketsDeltaRev(r.packets_delta_rev);
  b.setBytesDeltaRev(r.bytes_delta_rev);
  b.setFirstTs(r.first_ts);
  b.setLastTs(r.last_ts);
  b.setTcpFlagsFwd(r.tcp_flags_fwd);
  b.setTcpFlagsRev(r.tcp_flags_rev);
  b.setRttUs(r.rtt_us);
  b.setRetransmits(r.retransmits);
  b.setEndReason(r.end_reason);
}

interface Rate {
  /** rows per wall-clock second */
  wall: number;
  /** rows per CPU second of this process (all its threads; the shared machine is noisy) */
  cpu: number;
}

function timer(): (rows: number) => Rate {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return (rows) => {
    const c = process.cpuUsage(c0);
    return { wall: rows / ((performance.now() - t0) / 1000), cpu: rows / ((c.user + c.system) / 1e6) };
  };
}

const best = (a: Rate | undefined, b: Rate): Rate => (a && a.wall > b.wall ? a : b);

async function viaWriter(s: Storage, rows: FlowRow[]): Promise<Rate> {
  const w = s.writer(flows);
  const done = timer();
  for (const r of rows) {
    fill(w, r);
    if (!w.finalize()) await w.drain();
  }
  await w.flushNow();
  return done(rows.length);
}

async function viaClient(
  client: ClickHouseClient,
  table: string,
  values: unknown[],
  format: 'JSONEachRow' | 'JSONCompactEachRow',
): Promise<Rate> {
  const done = timer();
  const t0 = performance.now();
  for (let i = 0; i < values.length; i += BATCH) {
    await client.insert({
      table,
      values: values.slice(i, i + BATCH),
      format,
      clickhouse_settings: { insert_deduplication_token: `${format}-${i}-${t0}` },
    });
  }
  return done(values.length);
}

function cfg(dataDir: string, url: string): StorageConfig {
  return {
    dataDir,
    clickhouse: { url, user: 'default', password: '', database: 'bench', cluster: '', requestTimeoutMs: 120_000 },
    storage: { flushRows: BATCH, flushIntervalMs: 60_000, spoolMaxMb: 4096, ttlRawDays: 7, ttlRollupDays: 90 },
  };
}

const results: Record<string, Rate> = {};
const ratio = (a: Rate | undefined, b: Rate | undefined): string =>
  a && b ? `${(a.wall / b.wall).toFixed(2)}x` : 'n/a';
const extra: Record<string, number> = {};
const fmt = (x: Rate | undefined): string =>
  x
    ? `${(x.wall / 1000).toFixed(0).padStart(5)}k rows/s wall, ${(x.cpu / 1000).toFixed(0).padStart(5)}k rows/CPU-s`
    : 'n/a';

describe('storage: flow rows/s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-bench-storage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rows = makeRows(N);
  const { objects, arrays } = jsonRows(rows);

  it('builds and encodes rows (no database)', () => {
    const b = createRowBuilder(flows, BATCH);
    const w = { row: b };
    const done = timer();
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      fill(w, rows[i]!);
      b.finalize();
      if (b.full) {
        bytes += b.encode().length;
        b.clear();
      }
    }
    results.builder_encode = done(rows.length);
    extra.rowbinary_bytes_per_row = bytes / rows.length;
    expect(bytes).toBeGreaterThan(0);
  });

  it('embedded chDB: storage writer vs raw client.insert of the same rows', async () => {
    const s = await Storage.open(cfg(dir, ''));
    const raw = createClient({ connection: createChdbConnection({ path: join(dir, 'chdb') }) as never });
    for (let run = 0; run < 2; run++) {
      results.chdb_writer = best(results.chdb_writer, await viaWriter(s, rows));
      results.chdb_client_jsoneachrow = best(
        results.chdb_client_jsoneachrow,
        await viaClient(raw, 'bench.flows', objects, 'JSONEachRow'),
      );
      results.chdb_client_jsoncompact = best(
        results.chdb_client_jsoncompact,
        await viaClient(raw, 'bench.flows', arrays, 'JSONCompactEachRow'),
      );
    }
    const n = await s.ch.query<{ n: string }>("SELECT count() AS n FROM bench.flows WHERE collector = 'bench'");
    expect(Number(n[0]!.n)).toBe(6 * N);
    await raw.close();
    await s.close();
  });

  it('embedded chDB engine only: pre-encoded RowBinary into flows, and into a copy without the rollup views', async () => {
    const s = await Storage.open(cfg(dir, ''));
    await s.ch.command('CREATE TABLE IF NOT EXISTS bench.flows_plain AS bench.flows');
    await s.ch.command(
      'CREATE TABLE IF NOT EXISTS bench.flows_nocodec AS bench.flows ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (iface, ts)',
    );
    for (const c of flows.columns.filter((c) => c.codec))
      await s.ch.command(`ALTER TABLE bench.flows_nocodec MODIFY COLUMN \`${c.name}\` REMOVE CODEC`);
    const b = createRowBuilder(flows, BATCH);
    const batches: Buffer[] = [];
    for (const r of rows) {
      fill({ row: b }, r);
      b.finalize();
      if (b.full) {
        batches.push(b.encode());
        b.clear();
      }
    }
    const cols = insertColumns(flows);
    let k = 0;
    for (const table of ['flows', 'flows_plain', 'flows_nocodec']) {
      const done = timer();
      for (const bytes of batches) await s.ch.insertRowBinary(`bench.${table}`, cols, bytes, `engine-${table}-${k++}`);
      results[`chdb_engine_${table}`] = done(rows.length);
    }
    await s.close();
  });

  it('over HTTP: storage writer vs raw client.insert of the same rows', async () => {
    const server = await ChHttpServer.start({ dataDir: join(dir, 'http') });
    try {
      const s = await Storage.open(cfg(join(dir, 'http-writer'), server.url));
      const raw = createClient({ url: server.url, request_timeout: 120_000 });
      results.http_writer = await viaWriter(s, rows);
      results.http_client_jsoneachrow = await viaClient(raw, 'bench.flows', objects, 'JSONEachRow');
      results.http_client_jsoncompact = await viaClient(raw, 'bench.flows', arrays, 'JSONCompactEachRow');
      const n = await s.ch.query<{ n: string }>("SELECT count() AS n FROM bench.flows WHERE collector = 'bench'");
      expect(Number(n[0]!.n)).toBe(3 * N);
      await raw.close();
      await s.close();
    } finally {
      await server.stop();
    }
  });

  afterAll(() => {
    const lines = [
      `storage bench, ${N} flow rows (${insertColumns(flows).length} columns), batches of ${BATCH}`,
      `  builder + RowBinary encode only      ${fmt(results.builder_encode)}  (${(extra.rowbinary_bytes_per_row ?? 0).toFixed(0)} bytes/row)`,
      `  chDB  storage writer (RowBinary)     ${fmt(results.chdb_writer)}`,
      `  chDB  engine only, into flows (+2 MVs) ${fmt(results.chdb_engine_flows)}`,
      `  chDB  engine only, no rollup views    ${fmt(results.chdb_engine_flows_plain)}`,
      `  chDB  engine only, no views, no codecs, ORDER BY (iface, ts) ${fmt(results.chdb_engine_flows_nocodec)}`,
      `  chDB  client.insert JSONEachRow      ${fmt(results.chdb_client_jsoneachrow)}   writer/raw = ${ratio(results.chdb_writer, results.chdb_client_jsoneachrow)}`,
      `  chDB  client.insert JSONCompact      ${fmt(results.chdb_client_jsoncompact)}`,
      `  HTTP  storage writer (RowBinary)     ${fmt(results.http_writer)}`,
      `  HTTP  client.insert JSONEachRow      ${fmt(results.http_client_jsoneachrow)}   writer/raw = ${ratio(results.http_writer, results.http_client_jsoneachrow)}`,
      `  HTTP  client.insert JSONCompact      ${fmt(results.http_client_jsoncompact)}`,
      `  target 1M flow rows/s into chDB: ${(results.chdb_writer?.wall ?? 0) >= 1_000_000 ? 'met' : 'NOT met'} (${fmt(results.chdb_writer)})`,
      '  (HTTP CPU figures count the client process only; the server is a child process)',
    ];
    console.log(lines.join('\n'));
    mkdirSync('bench/out', { recursive: true });
    writeFileSync('bench/out/storage.json', JSON.stringify({ rows: N, ...extra, ...results }, null, 2));
  });

  it('the writer is faster than the raw client of the same rows, embedded and over HTTP', () => {
    expect(results.chdb_writer!.cpu).toBeGreaterThan(results.chdb_client_jsoneachrow!.cpu);
    expect(results.http_writer!.wall).toBeGreaterThan(results.http_client_jsoneachrow!.wall);
  });
});
