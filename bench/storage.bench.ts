/**
 * Flow rows/s into embedded chDB and over HTTP (the ClickHouse-compatible test endpoint of
 * test/support/ch-http.ts: chDB in a child process behind HTTP), through the storage writer
 * (columnar builder → Native block → insert), next to the raw `client.insert` rate of the same rows by
 * @clickhouse/client alone (JSONEachRow and JSONCompactEachRow) in the same run.
 * Run: npm run bench -- bench/storage.bench.ts   (figures also in bench/out/storage.json)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type * as StorageLib from '@nicscope/storage';
import type {
  BatchWriter as BatchWriterT,
  EncodedBatch,
  StorageConfig,
  WriterCore,
  WriterOptions,
} from '@nicscope/storage';
import type * as FlowLib from '@nicscope/flow';
import type * as FlowRows from '../apps/collector/src/pipeline/flow-rows.js';
import type * as FlowWire from '../apps/collector/src/pipeline/flow-wire.js';
import { ChHttpServer } from '../test/support/ch-http.js';
import { mergesSettled } from './lib/merges.js';
import { cpuSince, threadCpu } from './lib/thread-cpu.js';

/**
 * The storage code measured is the build the collector runs (dist/, tsc output, built by `npm run
 * bench`): vitest's transform of the sources makes every imported binding a getter of a
 * module-runner object (25-35 % slower on the replay loop, decision 0201).
 */
const dist = createRequire(__filename);
const { BatchWriter, flows, flows1m, insertColumns, qualified, Storage, FlowRollups } = dist(
  '../dist/libs/storage/src/index.js',
) as typeof StorageLib;
const { END_REASON_NAMES, EndReason } = dist('../dist/libs/flow/src/index.js') as typeof FlowLib;
const { writeFlowRows } = dist('../dist/apps/collector/src/pipeline/flow-rows.js') as typeof FlowRows;
const { S, SLOTS } = dist('../dist/apps/collector/src/pipeline/flow-wire.js') as typeof FlowWire;

const N = Number(process.env.NICSCOPE_BENCH_ROWS ?? 500_000);
const BATCH = Number(process.env.NICSCOPE_BENCH_BATCH ?? 100_000);
const NOW_MS = Date.now();
/**
 * Talker pairs: by default 2000 clients and 20 servers (flows differ by port, as on a host), so a
 * minute's rollup has a few thousand rows a batch; NICSCOPE_BENCH_UNIQUE_PAIRS=1 gives every row
 * its own pair (65536 clients): the rollups' worst case, as many rollup rows as flow rows.
 */
const UNIQUE_PAIRS = process.env.NICSCOPE_BENCH_UNIQUE_PAIRS === '1';
const srcIp = (i: number, unique: boolean): number => (0x0ac80000 | (unique ? i & 0xffff : 0x1000 + (i % 2000))) >>> 0;
const dstIp = (i: number, unique: boolean): number => (0x0ac8ff00 | (unique ? 1 + (i >>> 16) : 1 + (i % 20))) >>> 0;

/** The same rows as the float64 slots a capture worker posts (flow-wire.ts), in chunks of 8192 records. */
function makeSlots(n: number, unique = UNIQUE_PAIRS): Float64Array[] {
  const nowS = Math.floor(NOW_MS / 1000);
  const nowNs = (NOW_MS % 1000) * 1_000_000;
  const chunks: Float64Array[] = [];
  for (let start = 0; start < n; start += 8192) {
    const count = Math.min(8192, n - start);
    const a = new Float64Array(count * SLOTS);
    for (let k = 0; k < count; k++) {
      const i = start + k;
      const o = k * SLOTS;
      a[o + S.ipVersion] = 4;
      a[o + S.endReason] = i % 4 === 0 ? EndReason.IDLE : EndReason.INTERIM;
      // Record times as a busy collector emits them: 100k records a second of capture, each at its
      // own nanosecond, roughly in time order but not exactly (neighbours swapped), ending now.
      const j = i ^ 1;
      a[o + S.lastSec] = nowS - Math.floor((n - 1 - Math.min(j, n - 1)) / 100_000);
      a[o + S.lastNsec] = (j % 100_000) * 10_000 + (i % 7);
      a[o + S.flowId] = i;
      a[o + S.vlan] = i % 8;
      a[o + S.proto] = i % 3 ? 6 : 17;
      a[o + S.src0] = srcIp(i, unique);
      a[o + S.srcPort] = 1024 + (i % 60000);
      a[o + S.dst0] = dstIp(i, unique);
      a[o + S.dstPort] = 443;
      a[o + S.srcMac] = 0x020000000000 + (i % 256);
      a[o + S.dstMac] = 0x020000000100;
      a[o + S.totPFwd] = i;
      a[o + S.totBFwd] = i * 1000;
      a[o + S.totPRev] = i;
      a[o + S.totBRev] = i * 900;
      a[o + S.pFwd] = 10;
      a[o + S.bFwd] = 10_000;
      a[o + S.pRev] = 9;
      a[o + S.bRev] = 9_000;
      a[o + S.firstSec] = a[o + S.lastSec]! - 5;
      a[o + S.firstNsec] = nowNs;
      a[o + S.flagsFwd] = 0x1b;
      a[o + S.flagsRev] = 0x1b;
      a[o + S.rttUs] = 120;
    }
    chunks.push(a);
  }
  return chunks;
}

const ipText = (n: number): string => `::ffff:${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const tsText = (sec: number, nsec: number): string => `${sec}.${String(nsec).padStart(9, '0')}`;

/** The same rows, read from the same slots, as the JSON the raw client sends (built before timing). */
function jsonRows(chunks: Float64Array[]): { objects: Record<string, unknown>[]; arrays: unknown[][] } {
  const cols = insertColumns(flows);
  const objects: Record<string, unknown>[] = [];
  for (const a of chunks) {
    for (let o = 0; o < a.length; o += SLOTS) {
      const end = a[o + S.endReason]!;
      const interim = end === EndReason.INTERIM;
      objects.push({
        ts: tsText(a[o + S.lastSec]!, a[o + S.lastNsec]!),
        collector: 'bench',
        record_type: interim ? 'interim' : 'final',
        flow_id: a[o + S.flowId],
        iface: 'veth0',
        vlan: a[o + S.vlan],
        tunnel_type: '',
        tunnel_id: a[o + S.tunnelId],
        proto: a[o + S.proto],
        ether_type: a[o + S.etherType],
        src_ip: ipText(a[o + S.src0]!),
        src_port: a[o + S.srcPort],
        dst_ip: ipText(a[o + S.dst0]!),
        dst_port: a[o + S.dstPort],
        src_mac: a[o + S.srcMac],
        dst_mac: a[o + S.dstMac],
        packets_fwd: a[o + S.totPFwd],
        bytes_fwd: a[o + S.totBFwd],
        packets_rev: a[o + S.totPRev],
        bytes_rev: a[o + S.totBRev],
        packets_delta_fwd: a[o + S.pFwd],
        bytes_delta_fwd: a[o + S.bFwd],
        packets_delta_rev: a[o + S.pRev],
        bytes_delta_rev: a[o + S.bRev],
        first_ts: tsText(a[o + S.firstSec]!, a[o + S.firstNsec]!),
        last_ts: tsText(a[o + S.lastSec]!, a[o + S.lastNsec]!),
        tcp_flags_fwd: a[o + S.flagsFwd],
        tcp_flags_rev: a[o + S.flagsRev],
        rtt_us: a[o + S.rttUs],
        retransmits: a[o + S.retransmits],
        end_reason: interim ? '' : END_REASON_NAMES[end],
      });
    }
  }
  expect(objects.map((x) => Object.keys(x))[0]).toEqual(cols);
  return { objects, arrays: objects.map((x) => cols.map((c) => x[c])) };
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
const bestByCpu = (a: Rate | undefined, b: Rate): Rate => (a && a.cpu > b.cpu ? a : b);

/**
 * The rows as the Native blocks the flows writer sends (or, with `table` flows_1m, its minute
 * rollups), in batches of `flushRows` (copied: the writer reuses its buffers).
 */
async function nativeBlocks(
  chunks: Float64Array[],
  flushRows: number,
  table: 'flows' | 'flows_1m' = 'flows',
): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  const keep: WriterCore = {
    instanceId: 'blocks',
    deliver: (b: EncodedBatch) => {
      if (b.table === qualified(table, { database: 'x' })) blocks.push(Buffer.from(b.payload));
      return Promise.resolve();
    },
    spoolNow: () => undefined,
  };
  const derive =
    table === 'flows'
      ? undefined
      : (new FlowRollups(flushRows, {
          database: 'x',
          cluster: '',
          ttlRawDays: 7,
          ttlRollupDays: 90,
        }) as unknown as WriterOptions['derive']);
  const w = new BatchWriter(flows, qualified(flows, { database: 'x' }), keep, {
    flushRows,
    flushIntervalMs: 60_000,
    derive,
  });
  await viaWriter(w, chunks);
  await w.close();
  return blocks;
}

/**
 * The collector's path: worker slots → writeFlowRows → the flows writer (with its rollups) → the
 * database. Each chunk is handled as its own event-loop task, as the collector's main thread
 * handles each message of a capture worker: the writer's insert steps (staging the block, starting
 * the insert, taking its answer) run between chunks instead of waiting for the whole run.
 */
async function viaWriter(w: BatchWriterT<typeof flows>, chunks: Float64Array[]): Promise<Rate> {
  const done = timer();
  let n = 0;
  for (const c of chunks) {
    const count = c.length / SLOTS;
    n += count;
    if (!writeFlowRows(c, count, 'veth0', 'bench', w)) await w.drain();
    await new Promise<void>((r) => setImmediate(r));
  }
  await w.flushNow();
  return done(n);
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
  const chunks = makeSlots(N);

  it('builds and encodes rows and their rollups (no database)', async () => {
    let bytes = 0;
    let flowBytes = 0;
    const sink: WriterCore = {
      instanceId: 'bench',
      deliver: (b: EncodedBatch) => {
        bytes += b.payload.byteLength;
        if (b.table === 'x.flows') flowBytes += b.payload.byteLength;
        return Promise.resolve();
      },
      spoolNow: () => undefined,
    };
    const derive = new FlowRollups(BATCH, { database: 'x', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 }, 60_000);
    for (let run = 0; run < 3; run++) {
      bytes = flowBytes = 0;
      const w = new BatchWriter(flows, 'x.flows', sink, {
        flushRows: BATCH,
        flushIntervalMs: 60_000,
        derive: derive as unknown as WriterOptions['derive'],
      });
      results.builder_encode = best(results.builder_encode, await viaWriter(w, chunks));
      await w.close();
    }
    extra.native_bytes_per_row = flowBytes / N;
    extra.all_bytes_per_row = bytes / N;
    expect(flowBytes).toBeGreaterThan(100 * N);
  });

  it('embedded chDB: the storage writer (flows + rollups)', async () => {
    const s = await Storage.open(cfg(dir, ''));
    const t0 = threadCpu();
    for (let run = 0; run < 3; run++)
      results.chdb_writer = best(results.chdb_writer, await viaWriter(s.writer(flows), chunks));
    const byThread = cpuSince(t0);
    extra.writer_cpu_main_s = byThread.main;
    extra.writer_cpu_merges_s = byThread.merges;
    extra.writer_cpu_other_s = byThread.other;
    const n = await s.ch.query<{ n: string }>("SELECT count() AS n FROM bench.flows WHERE collector = 'bench'");
    expect(Number(n[0]!.n)).toBe(3 * N);
    const ms = (name: string, table: string): number =>
      s.metricSamples().find((x) => x.name.endsWith(name) && x.labels.table === table)?.value ?? 0;
    for (const t of ['flows', 'flows_1m', 'flows_1h']) extra[`insert_ms_${t}`] = ms('insert_milliseconds_total', t);
    extra.writer_wait_ms = ms('wait_milliseconds_total', 'flows');
    const m = await s.ch.query<{ n: string }>("SELECT sum(flows) AS n FROM bench.flows_1h WHERE collector = 'bench'");
    expect(Number(m[0]!.n)).toBe(3 * (N / 4));
    await s.close();
  });

  it('embedded chDB engine only: pre-encoded Native blocks into an empty flows table, and into a copy without codecs', async () => {
    const s = await Storage.open(cfg(dir, ''));
    await s.ch.command('CREATE TABLE IF NOT EXISTS bench.flows_plain AS bench.flows');
    await s.ch.command(
      'CREATE TABLE IF NOT EXISTS bench.flows_nocodec AS bench.flows ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (iface, ts)',
    );
    await s.ch.command('CREATE TABLE IF NOT EXISTS bench.flows_lz4 AS bench.flows');
    // The same table with background merges stopped: what an insert costs by itself (merges of
    // the inserted parts are the other half of the engine's CPU).
    await s.ch.command('CREATE TABLE IF NOT EXISTS bench.flows_nomerge AS bench.flows');
    await s.ch.command('SYSTEM STOP MERGES bench.flows_nomerge');
    // And the sort key's share of an insert: the same codecs ordered by (iface, ts), merges stopped.
    await s.ch.command(
      'CREATE TABLE IF NOT EXISTS bench.flows_k2_nomerge AS bench.flows ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (iface, ts)',
    );
    await s.ch.command('SYSTEM STOP MERGES bench.flows_k2_nomerge');
    for (const c of flows.columns.filter((c) => c.codec)) {
      await s.ch.command(`ALTER TABLE bench.flows_nocodec MODIFY COLUMN \`${c.name}\` REMOVE CODEC`);
      await s.ch.command(`ALTER TABLE bench.flows_lz4 MODIFY COLUMN \`${c.name}\` REMOVE CODEC`);
    }
    const batches = await nativeBlocks(chunks, BATCH);
    const cols = insertColumns(flows);
    let k = 0;
    for (const table of [
      'flows_plain',
      'flows_nomerge',
      'flows_k2_nomerge',
      'flows_lz4',
      'flows_nocodec',
      'flows_plain',
      'flows_nomerge',
      'flows_k2_nomerge',
    ]) {
      const done = timer();
      for (const bytes of batches) await s.ch.insert(`bench.${table}`, cols, 'Native', bytes, `engine-${table}-${k++}`);
      results[`chdb_engine_${table}`] = best(results[`chdb_engine_${table}`], done(N));
    }
    await s.close();
  });

  it('embedded chDB engine only: the same rows in batches of 50k and of 200k (insert and merges until settled)', async () => {
    // Why the flows writer groups rows while an insert runs (group commit, docs/storage.md): each
    // insert has a fixed cost, and fewer, larger parts also mean fewer merges.
    const s = await Storage.open(cfg(dir, ''));
    for (const rows of [50_000, 200_000, 50_000, 200_000]) {
      const table = `flows_b${rows}`;
      await s.ch.command(`DROP TABLE IF EXISTS bench.${table} SYNC`);
      await s.ch.command(`CREATE TABLE bench.${table} AS bench.flows`);
      const blocks = await nativeBlocks(chunks, rows);
      const cols = insertColumns(flows);
      const done = timer();
      let k = 0;
      for (const bytes of blocks) await s.ch.insert(`bench.${table}`, cols, 'Native', bytes, `size-${table}-${k++}`);
      await mergesSettled(s.ch, `database = 'bench' AND table = '${table}'`);
      const rate = done(N);
      const n = await s.ch.query<{ n: string }>(`SELECT count() AS n FROM bench.${table}`);
      expect(Number(n[0]!.n)).toBe(N);
      // Rows per CPU-second is what counts here (the settle wait is idle time).
      results[`chdb_batch_${rows}`] = bestByCpu(results[`chdb_batch_${rows}`], rate);
    }
    await s.close();
  });

  it('embedded chDB engine only: flows with merge_selector_base 5 (ClickHouse default) and 10 (migration 0014), 40 inserts of 25k rows, until merges settle', async () => {
    const s = await Storage.open(cfg(dir, ''));
    const blocks = await nativeBlocks(makeSlots(200_000), 25_000);
    const cols = insertColumns(flows);
    for (const base of [5, 10, 5, 10]) {
      const table = `bench.flows_base${base}`;
      await s.ch.command(`DROP TABLE IF EXISTS ${table} SYNC`);
      await s.ch.command(`CREATE TABLE ${table} AS bench.flows`);
      await s.ch.command(`ALTER TABLE ${table} MODIFY SETTING merge_selector_base = ${base}`);
      const done = timer();
      let k = 0;
      for (let r = 0; r < 5; r++)
        for (const bytes of blocks)
          await s.ch.insert(table, cols, 'Native', bytes, `base-${base}-${k++}-${Date.now()}`);
      await mergesSettled(s.ch, `database = 'bench' AND table = 'flows_base${base}'`);
      const p = await s.ch.query<{ n: string; r: string }>(
        `SELECT count() AS n, sum(rows) AS r FROM system.parts WHERE active AND database = 'bench' AND table = 'flows_base${base}'`,
      );
      expect(Number(p[0]!.r)).toBe(5 * 200_000);
      results[`chdb_base_${base}`] = bestByCpu(results[`chdb_base_${base}`], done(5 * 200_000));
      extra[`parts_base_${base}`] = Number(p[0]!.n);
    }
    await s.close();
  });

  it('embedded chDB engine only: rollups of unique talker pairs into SummingMergeTree (before migration 0015) and AggregatingMergeTree', async () => {
    // Every row its own talker pair: the rollups as large as the raw rows (decision 0405).
    const s = await Storage.open(cfg(dir, ''));
    const blocks = await nativeBlocks(makeSlots(N, true), BATCH, 'flows_1m');
    const cols = insertColumns(flows1m);
    let rows = 0;
    for (const engine of ['summing', 'aggregating', 'summing', 'aggregating']) {
      const table = `bench.rollup_${engine}`;
      await s.ch.command(`DROP TABLE IF EXISTS ${table} SYNC`);
      if (engine === 'aggregating') await s.ch.command(`CREATE TABLE ${table} AS bench.flows_1m`);
      else
        await s.ch.command(
          `CREATE TABLE ${table} (ts DateTime('UTC'), iface LowCardinality(String), proto UInt8, src_ip IPv6, dst_ip IPv6,
             vlan UInt16, collector LowCardinality(String), packets UInt64, bytes UInt64, flows UInt64)
           ENGINE = SummingMergeTree((packets, bytes, flows)) PARTITION BY toDate(ts)
           ORDER BY (iface, ts, proto, src_ip, dst_ip, vlan, collector) SETTINGS non_replicated_deduplication_window = 10000`,
        );
      await s.ch.command(`SYSTEM STOP MERGES ${table}`);
      let k = 0;
      const inserted = timer();
      for (const bytes of blocks) await s.ch.insert(table, cols, 'Native', bytes, `rollup-${engine}-${k++}`);
      const n = await s.ch.query<{ n: string }>(`SELECT count() AS n FROM ${table}`);
      rows = Number(n[0]!.n);
      results[`rollup_${engine}_insert`] = bestByCpu(results[`rollup_${engine}_insert`], inserted(rows));
      await s.ch.command(`SYSTEM START MERGES ${table}`);
      const merged = timer();
      await s.ch.command(`OPTIMIZE TABLE ${table} FINAL`);
      results[`rollup_${engine}_merge`] = bestByCpu(results[`rollup_${engine}_merge`], merged(rows));
      const after = await s.ch.query<{ p: string }>(`SELECT sum(packets) AS p FROM ${table}`);
      expect(Number(after[0]!.p)).toBe(19 * N);
    }
    extra.rollup_rows = rows;
    await s.close();
  });

  it('embedded chDB: raw client.insert of the same rows (JSONEachRow, JSONCompactEachRow)', async () => {
    const { objects, arrays } = jsonRows(chunks);
    const raw = createClient({ connection: createChdbConnection({ path: join(dir, 'chdb') }) as never });
    await raw.command({ query: 'CREATE TABLE IF NOT EXISTS bench.flows_raw AS bench.flows' });
    results.chdb_client_jsoneachrow = await viaClient(raw, 'bench.flows_raw', objects, 'JSONEachRow');
    results.chdb_client_jsoncompact = await viaClient(raw, 'bench.flows_raw', arrays, 'JSONCompactEachRow');
    const rs = await raw.query({
      query: "SELECT count() AS n FROM bench.flows_raw WHERE collector = 'bench'",
      format: 'JSONEachRow',
    });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBe(2 * N);
    await raw.close();
  });

  it('over HTTP: storage writer vs raw client.insert of the same rows', async () => {
    const server = await ChHttpServer.start({ dataDir: join(dir, 'http') });
    try {
      const s = await Storage.open(cfg(join(dir, 'http-writer'), server.url));
      results.http_writer = await viaWriter(s.writer(flows), chunks);
      const { objects, arrays } = jsonRows(chunks);
      const raw = createClient({ url: server.url, request_timeout: 120_000 });
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
      `storage bench, ${N} flow rows (${insertColumns(flows).length} columns; ${UNIQUE_PAIRS ? "every row its own talker pair, the rollups' worst case" : '2000 × 20 talker pairs'}), batches of ${BATCH}`,
      `  rows + rollups built and encoded, no database  ${fmt(results.builder_encode)}  (${(extra.native_bytes_per_row ?? 0).toFixed(0)} bytes/row, ${(extra.all_bytes_per_row ?? 0).toFixed(0)} with rollups)`,
      `  chDB  storage writer (flows + rollups)   ${fmt(results.chdb_writer)}`,
      `        (3 runs: inserts took ${extra.insert_ms_flows?.toFixed(0)} ms into flows, ${extra.insert_ms_flows_1m?.toFixed(0)} ms into flows_1m, ${extra.insert_ms_flows_1h?.toFixed(0)} ms into flows_1h; the producer waited ${extra.writer_wait_ms?.toFixed(0)} ms;`,
      `         CPU by thread: main ${extra.writer_cpu_main_s?.toFixed(2)} s, chDB merges ${extra.writer_cpu_merges_s?.toFixed(2)} s, inserts and other threads ${extra.writer_cpu_other_s?.toFixed(2)} s)`,
      `  chDB  engine only, into an empty flows table   ${fmt(results.chdb_engine_flows_plain)}`,
      `  chDB  engine only, same with merges stopped   ${fmt(results.chdb_engine_flows_nomerge)}`,
      `  chDB  engine only, same, ORDER BY (iface, ts), merges stopped   ${fmt(results.chdb_engine_flows_k2_nomerge)}`,
      `  chDB  engine only, same with LZ4 only     ${fmt(results.chdb_engine_flows_lz4)}`,
      `  chDB  engine only, same without codecs, ORDER BY (iface, ts)   ${fmt(results.chdb_engine_flows_nocodec)}`,
      `  chDB  engine only, batches of 50k, insert + merges until settled    ${((results.chdb_batch_50000?.cpu ?? NaN) / 1000).toFixed(0)}k rows/CPU-s`,
      `  chDB  engine only, batches of 200k, insert + merges until settled   ${((results.chdb_batch_200000?.cpu ?? NaN) / 1000).toFixed(0)}k rows/CPU-s`,
      `  chDB  engine only, 40 inserts of 25k rows, insert + merges until settled: merge_selector_base 5 ${((results.chdb_base_5?.cpu ?? NaN) / 1000).toFixed(0)}k rows/CPU-s (${extra.parts_base_5} parts left), 10 ${((results.chdb_base_10?.cpu ?? NaN) / 1000).toFixed(0)}k rows/CPU-s (${extra.parts_base_10} parts left)`,
      `  chDB  engine only, ${extra.rollup_rows} rollup rows of unique talker pairs: insert ${((results.rollup_summing_insert?.cpu ?? NaN) / 1000).toFixed(0)}k (SummingMergeTree) vs ${((results.rollup_aggregating_insert?.cpu ?? NaN) / 1000).toFixed(0)}k (AggregatingMergeTree) rows/CPU-s; merge to one part ${((results.rollup_summing_merge?.cpu ?? NaN) / 1000).toFixed(0)}k vs ${((results.rollup_aggregating_merge?.cpu ?? NaN) / 1000).toFixed(0)}k rows/CPU-s`,
      `  chDB  client.insert JSONEachRow          ${fmt(results.chdb_client_jsoneachrow)}   writer/raw = ${ratio(results.chdb_writer, results.chdb_client_jsoneachrow)}`,
      `  chDB  client.insert JSONCompactEachRow   ${fmt(results.chdb_client_jsoncompact)}   writer/raw = ${ratio(results.chdb_writer, results.chdb_client_jsoncompact)}`,
      `  HTTP  storage writer (flows + rollups)   ${fmt(results.http_writer)}`,
      `  HTTP  client.insert JSONEachRow          ${fmt(results.http_client_jsoneachrow)}   writer/raw = ${ratio(results.http_writer, results.http_client_jsoneachrow)}`,
      `  HTTP  client.insert JSONCompactEachRow   ${fmt(results.http_client_jsoncompact)}   writer/raw = ${ratio(results.http_writer, results.http_client_jsoncompact)}`,
      `  target 1M flow rows/s into chDB: ${(results.chdb_writer?.wall ?? 0) >= 1_000_000 ? 'met' : 'NOT met'} (${fmt(results.chdb_writer)})`,
      '  (HTTP CPU figures count the client process only; the server is a child process)',
    ];
    console.log(lines.join('\n'));
    mkdirSync('bench/out', { recursive: true });
    writeFileSync('bench/out/storage.json', JSON.stringify({ rows: N, ...extra, ...results }, null, 2));
  });

  it('the writer is faster than the raw client of the same rows, embedded and over HTTP', () => {
    expect(results.chdb_writer!.wall).toBeGreaterThan(results.chdb_client_jsoncompact!.wall);
    expect(results.http_writer!.wall).toBeGreaterThan(results.http_client_jsoncompact!.wall);
  });

  it('writes at least 1M flow rows/s into embedded chDB (the issue target)', () => {
    expect(results.chdb_writer!.wall).toBeGreaterThanOrEqual(1_000_000);
  });
});
