// Benchmark: `npm run bench -- bench/collector.bench.ts`. Needs tcpdump.
// The collector's whole per-flow path on one core — libpcap batches → decode → flow table → flow
// records as float64 slots (what a capture worker posts) → `flows` rows → batch writer → embedded
// ClickHouse (chDB) — over a generated pcap, next to tcpdump reading the same file in the same run
// (softflowd, the natural peer, hangs when started from a vitest worker: see docs/flows.md). Reports new flows per second per CPU-second and asserts the target: the collector
// keeps up with 100k new flows/s on one core.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '@nicscope/config';
import { FramePipeline } from '@nicscope/flow';
import { OfflineCapture } from '@nicscope/pcap';
import { Storage, flows } from '@nicscope/storage';
import { FlowWireWriter } from '../apps/collector/src/pipeline/flow-wire.js';
import { writeFlowRows } from '../apps/collector/src/pipeline/flow-rows.js';
import { writeMixedPcap } from './gen/mixed-pcap.js';

const OUT = join(__dirname, 'out');
const PACKETS = Number(process.env.NICSCOPE_BENCH_PACKETS ?? 1_000_000);
const FILE = join(OUT, `mixed-${PACKETS}.pcap`);
const TARGET_FLOWS_PER_CPU_S = 100_000;

function timeCmd(argv: string[]): { seconds: number; cpu: number; status: number | null; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 900_000,
  });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return {
    seconds: Number(m?.[1] ?? NaN),
    cpu: Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN),
    status: r.status,
    stderr: r.stderr,
  };
}

describe('collector benchmark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-bench-collector-'));
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
    if (!existsSync(FILE)) writeMixedPcap(FILE, PACKETS);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores >= 100k new flows per CPU-second end to end into chDB, next to tcpdump reading the same file', async () => {
    // The generated file's timestamps are a year old: keep raw rows long enough not to be dropped by the TTL.
    const base = defaultConfig();
    const cfg = {
      ...base,
      dataDir: join(dir, 'data'),
      storage: { ...base.storage, ttlRawDays: 3650, ttlRollupDays: 3650 },
    };
    const logger = {
      info: () => undefined,
      warn: (o: object, m?: string) => console.log('storage warn', m, o),
      error: (o: object, m?: string) => console.log('storage error', m, o),
    };
    const storage = await Storage.open(cfg, { collector: 'bench', logger });
    const writer = storage.writer(flows);
    /** One pass over the file: pcap → decode → flow table → slots → rows + rollups → chDB (flushed). */
    const pass = async (collector: string) => {
      const wire = new FlowWireWriter();
      const pipe = new FramePipeline(
        { maxFlows: 1_000_000, idleTimeoutS: 30, activeTimeoutS: 300, interimS: 10 },
        (r) => wire.push(r),
      );
      let waits = 0;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const cap = OfflineCapture.open(FILE);
      // One reused buffer, as a live capture worker drains its ring into one buffer.
      for (let b = cap.readBatchShared(); b !== null; b = cap.readBatchShared()) {
        pipe.processBatch(b, cap.linkType, 1);
        if (wire.count >= 8192) {
          const w = wire.take()!;
          const more = writeFlowRows(w.slots, w.count, 'bench0', collector, writer);
          wire.recycle(w.slots); // as the main thread hands the buffer back to its worker
          if (!more) {
            waits++;
            await writer.drain();
          }
        }
      }
      pipe.table.flush();
      const rest = wire.take();
      if (rest) writeFlowRows(rest.slots, rest.count, 'bench0', collector, writer);
      await writer.flushNow();
      cap.close();
      const cu = process.cpuUsage(c0);
      return {
        pipe,
        waits,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
        cpu: (cu.user + cu.system) / 1e6,
      };
    };
    // A running collector is warm: the first pass (its own collector name) warms the JIT and chDB.
    const warm = await pass('bench-warm');
    const { pipe, waits, seconds, cpu } = await pass('bench');
    await storage.close();
    const flowsCreated = pipe.table.flowsCreated;
    const records = pipe.table.records;

    // The rows are really there.
    const check = await Storage.open(cfg, { collector: 'bench-check' });
    const stored = Number(
      (await check.ch.query<{ n: string }>(`SELECT count() AS n FROM nicscope.flows WHERE collector = 'bench'`))[0]!.n,
    );
    await check.close();

    // The peer: tcpdump reading the same file (what it costs only to read it with libpcap).
    const td = timeCmd(['tcpdump', '-r', FILE, '-w', '/dev/null']);
    expect(td.status, td.stderr).toBe(0);
    const perCpu = flowsCreated / cpu;
    const tdPerCpu = flowsCreated / td.cpu;
    console.log(
      [
        `collector path over ${FILE} (${(statSync(FILE).size / 1e6).toFixed(0)} MB, ${pipe.summary.frames} frames)`,
        `  first (cold) pass: ${warm.seconds.toFixed(2)} s wall, ${warm.cpu.toFixed(2)} s CPU → ${(flowsCreated / warm.cpu / 1000).toFixed(0)}k flows per CPU-second`,
        `  nicscope (warm pass): ${flowsCreated} flows, ${records} records, ${stored} rows stored in ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU ` +
          `→ ${(flowsCreated / seconds / 1000).toFixed(0)}k flows/s wall, ${(perCpu / 1000).toFixed(0)}k flows per CPU-second; writer waits ${waits}`,
        `  tcpdump -r f -w /dev/null: ${td.seconds.toFixed(2)} s wall, ${td.cpu.toFixed(2)} s CPU (reading the file only)`,
        `  ratio nicscope CPU / tcpdump CPU: ${(cpu / td.cpu).toFixed(2)} (${(perCpu / tdPerCpu).toFixed(2)} in flows per CPU-second)`,
      ].join('\n'),
    );
    expect(stored).toBe(records);
    expect(perCpu).toBeGreaterThanOrEqual(TARGET_FLOWS_PER_CPU_S);
  }, 900_000);
});
