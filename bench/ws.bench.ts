/**
 * WebSocket fan-out: 100 clients × 10,000 frames/s through the nicscope gateway (token auth,
 * BPF filter per subscription, frame summaries from libs/packet, bounded queues), against a plain
 * `ws` server broadcasting the same messages to 100 clients, in the same run.
 *
 * Frames are real Ethernet/IPv4/UDP bytes in libs/pcap's batch layout, stamped with the publish
 * time; the clients (one separate process, so their parsing does not share the server's core)
 * measure delivery latency = receive time − stamp for every frame. CPU is the server process's
 * user+system time over the run. Target: p99 < 50 ms and every frame delivered.
 *
 * Run: npm run bench -- bench/ws.bench.ts   (NICSCOPE_BENCH_WS_SECONDS, _CLIENTS, _RATE override)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { PacketSummarizer } from '../apps/api/src/live/packet-summarizer.js';
import { LiveFanout } from '../apps/api/src/live/fanout.js';
import { compileBpf } from '../apps/api/src/live/bpf.js';
import { startTestApi, udpFrameHex, type TestApi } from '../test/api/support.js';

const SECONDS = Number(process.env.NICSCOPE_BENCH_WS_SECONDS ?? 6);
const CLIENTS = Number(process.env.NICSCOPE_BENCH_WS_CLIENTS ?? 100);
const RATE = Number(process.env.NICSCOPE_BENCH_WS_RATE ?? 10_000);
const TICK_MS = 10;
const WARMUP_S = 2;

// The clients: plain JavaScript run by `node -e` from the project root (so `ws` resolves).
const CLIENT_SRC = String.raw`
const WebSocket = require('ws');
const [url, n, token, sub] = process.argv.slice(1);
const BUCKET = 0.1, NB = 100000; // 0.1 ms buckets up to 10 s
const hist = new Uint32Array(NB);
let frames = 0, msgs = 0, lost = 0, ready = 0, closed = 0, lastAt = 0;
const now = () => performance.timeOrigin + performance.now();
const TS = Buffer.from('"ts":"');
function onMessage(data) {
  // Bytes, not strings: the clients must cost as little as possible, the same for both servers.
  const c9 = data[9];
  if (c9 === 0x66 /* {"type":"frames" */) {
    msgs++;
    const t = now();
    lastAt = t;
    let i = 0;
    while ((i = data.indexOf(TS, i)) !== -1) {
      let j = i + 6, v = 0;
      for (let d = data[j]; d !== 0x22; d = data[++j]) v = v * 10 + (d - 48);
      let b = Math.floor((t - v / 1e6) / BUCKET); if (b < 0) b = 0; if (b >= NB) b = NB - 1;
      hist[b]++; frames++; i = j;
    }
  } else if (c9 === 0x73 /* subscribed */) { if (++ready === Number(n)) process.stdout.write('ready\n'); }
  else if (c9 === 0x6c /* lost */) lost += JSON.parse(data.toString()).n;
}
for (let k = 0; k < Number(n); k++) {
  const ws = new WebSocket(url, { headers: token ? { Authorization: 'Bearer ' + token } : {}, skipUTF8Validation: true });
  ws.on('open', () => { if (sub) ws.send(sub); else if (++ready === Number(n)) process.stdout.write('ready\n'); });
  ws.on('message', onMessage);
  ws.on('close', () => closed++);
  ws.on('error', (e) => process.stderr.write('client error ' + e.message + '\n'));
}
let cpu0 = process.cpuUsage();
process.stdin.on('data', (d) => {
  if (d.toString().startsWith('reset')) {
    // wait until nothing arrived for 300 ms, so no warm-up frame is counted
    const t = setInterval(() => {
      if (now() - lastAt < 300) return;
      clearInterval(t);
      hist.fill(0); frames = 0; msgs = 0; lost = 0; cpu0 = process.cpuUsage();
      process.stdout.write('reset\n');
    }, 50);
    return;
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ frames, msgs, lost, closed, hist: Array.from(hist).flatMap((c, i) => c ? [[i, c]] : []), cpuMs: (cpu.user + cpu.system) / 1000 }) + '\n');
  process.exit(0);
});
`;

interface ClientReport {
  frames: number;
  msgs: number;
  lost: number;
  closed: number;
  hist: number[];
  cpuMs: number;
}

interface Result {
  name: string;
  offered: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
  serverCpuPct: number;
  clientCpuPct: number;
  lost: number;
}

function percentile(hist: number[], total: number, q: number): number {
  const target = Math.ceil(total * q);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) return (i + 1) * 0.1;
  }
  return Infinity;
}

function startClients(
  url: string,
  token: string,
  sub: string,
): { proc: ChildProcess; ready: Promise<void>; reset: () => Promise<void>; report: () => Promise<ClientReport> } {
  const proc = spawn(process.execPath, ['-e', CLIENT_SRC, url, String(CLIENTS), token, sub], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const waiters: Array<() => void> = [];
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (pred: () => boolean, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`clients: timed out; output ${out.slice(0, 200)}`)), ms);
      const check = (): void => {
        if (pred()) {
          clearTimeout(deadline);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    proc,
    ready: waitFor(() => out.includes('ready\n'), 30_000),
    async reset() {
      proc.stdin.write('reset\n');
      await waitFor(() => out.includes('reset\n'), 180_000);
    },
    async report() {
      proc.stdin.write('report\n');
      await waitFor(() => /\n\{.*\}\n/.test(out), 180_000);
      const r = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as Omit<ClientReport, 'hist'> & {
        hist: Array<[number, number]>;
      };
      const hist = new Array<number>(100_000).fill(0);
      for (const [i, c] of r.hist) hist[i] = c;
      return { ...r, hist };
    },
  };
}

/** Frames of the batch: real UDP frames (varied ports), each record stamped with `nowNs` at publish. */
function makeBatch(count: number): { buf: Uint8Array; view: DataView; offs: number[] } {
  const frames = Array.from({ length: count }, (_, i) =>
    Buffer.from(udpFrameHex(30000 + (i % 500), 5000 + (i % 7), 64 + (i % 64)), 'hex'),
  );
  const size = frames.reduce((s, f) => s + 16 + ((f.length + 3) & ~3), 0);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  const offs: number[] = [];
  let off = 0;
  for (const f of frames) {
    offs.push(off);
    view.setUint32(off + 8, f.length, true);
    view.setUint32(off + 12, f.length, true);
    buf.set(f, off + 16);
    off += 16 + ((f.length + 3) & ~3);
  }
  return { buf, view, offs };
}

function stamp(view: DataView, offs: number[], n: number): void {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  const nsec = Math.round((ms - sec * 1000) * 1e6);
  for (let i = 0; i < n; i++) {
    view.setUint32(offs[i]!, sec, true);
    view.setUint32(offs[i]! + 4, nsec, true);
  }
}

/** Publishes RATE frames/s for `seconds` in TICK_MS batches; returns frames offered and server CPU %. */
async function drive(
  publish: (count: number) => void,
  seconds = SECONDS,
): Promise<{ offered: number; cpuPct: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let offered = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      const due = Math.min(Math.floor((elapsed / 1000) * RATE), seconds * RATE) - offered;
      if (due > 0) {
        // after a stall of this process, catch up in TICK_MS-sized batches (the stall shows in the latency)
        let left = due;
        while (left > 0) {
          const n = Math.min(left, (RATE * TICK_MS) / 1000);
          publish(n);
          offered += n;
          left -= n;
        }
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const cpu = process.cpuUsage(cpu0);
  return { offered, cpuPct: ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100 };
}

/** Waits until the server holds nothing more for its clients (queues and socket buffers), then 300 ms for the last bytes. */
async function drained(pending: () => number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
}

describe(LiveFanout.name, () => {
  let t: TestApi | undefined;
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await t?.close();
  });

  it(`fans out ${RATE} frames/s to ${CLIENTS} clients with p99 < 50 ms, next to a plain ws broadcast`, async () => {
    const perTick = (RATE * TICK_MS) / 1000;
    const batch = makeBatch(perTick);
    const results: Result[] = [];

    // 1. nicscope: the real API (auth, gateway, BPF filter per subscription, queues), in-process LiveBus.
    t = await startTestApi({ NICSCOPE_LIVE_QUEUE: '4096' });
    const api = t;
    const sub = JSON.stringify({ type: 'subscribe', id: 'bench', streams: ['frames'], filter: 'udp' });
    const c1 = startClients(api.wsUrl, api.adminToken, sub);
    procs.push(c1.proc);
    await c1.ready;
    const view = batch.view;
    const publish1 = (n: number): void => {
      stamp(view, batch.offs, n);
      api.bus.publishFrames({
        iface: 'bench0',
        linkType: 1,
        buf: batch.buf,
        view,
        count: n,
        byteLength: batch.offs[n - 1]! + 16 + 128,
      });
    };
    const pending1 = (): number =>
      [...api.api.live.fanout.sessions].reduce((q, x) => q + x.queued + x.socket.bufferedAmount, 0);
    // warm-up (JIT, first allocations), not measured
    await drive(publish1, WARMUP_S);
    await drained(pending1);
    await c1.reset();
    const loop1 = monitorEventLoopDelay({ resolution: 5 });
    loop1.enable();
    let maxQueued = 0;
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      for (const x of api.api.live.fanout.sessions) {
        maxQueued = Math.max(maxQueued, x.queued);
        maxBuffered = Math.max(maxBuffered, x.socket.bufferedAmount);
      }
    }, 100);
    const r1 = await drive(publish1);
    clearInterval(sampler);
    loop1.disable();
    console.log(
      `nicscope phase: event-loop delay p99 ${(loop1.percentile(99) / 1e6).toFixed(1)} ms, max queued ${maxQueued} messages, max socket backlog ${maxBuffered} bytes`,
    );
    await drained(pending1);
    const rep1 = await c1.report();
    results.push({
      name: 'nicscope gateway',
      offered: r1.offered * CLIENTS,
      delivered: rep1.frames,
      p50: percentile(rep1.hist, rep1.frames, 0.5),
      p99: percentile(rep1.hist, rep1.frames, 0.99),
      max: percentile(rep1.hist, rep1.frames, 1),
      serverCpuPct: r1.cpuPct,
      clientCpuPct: (rep1.cpuMs / (SECONDS * 1000)) * 100,
      lost: rep1.lost,
    });
    const stats = { ...api.api.live.fanout.stats };
    await api.close();
    t = undefined;

    // 2. Reference: a plain ws server broadcasting the same frames message (summaries from the same formatter).
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/ws' });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
    const c2 = startClients(url, '', '');
    procs.push(c2.proc);
    await c2.ready;
    const summarizer = new PacketSummarizer();
    const publish2 = (n: number): void => {
      stamp(view, batch.offs, n);
      const frames: string[] = [];
      for (let i = 0; i < n; i++) {
        const off = batch.offs[i]!;
        const caplen = view.getUint32(off + 8, true);
        const sec = view.getUint32(off, true);
        const nsec = view.getUint32(off + 4, true);
        frames.push(
          JSON.stringify({
            ts: `${sec}${String(nsec).padStart(9, '0')}`,
            iface: 'bench0',
            caplen,
            len: caplen,
            ...summarizer.summarize(batch.buf, off + 16, caplen, caplen, 1),
          }),
        );
      }
      const msg = `{"type":"frames","id":"bench","frames":[${frames.join(',')}]}`;
      for (const c of wss.clients) c.send(msg);
    };
    const pending2 = (): number => [...wss.clients].reduce((q, x) => q + x.bufferedAmount, 0);
    await drive(publish2, WARMUP_S);
    await drained(pending2);
    await c2.reset();
    const r2 = await drive(publish2);
    await drained(pending2);
    const rep2 = await c2.report();
    results.push({
      name: 'plain ws broadcast',
      offered: r2.offered * CLIENTS,
      delivered: rep2.frames,
      p50: percentile(rep2.hist, rep2.frames, 0.5),
      p99: percentile(rep2.hist, rep2.frames, 0.99),
      max: percentile(rep2.hist, rep2.frames, 1),
      serverCpuPct: r2.cpuPct,
      clientCpuPct: (rep2.cpuMs / (SECONDS * 1000)) * 100,
      lost: rep2.lost,
    });
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise((r) => http.close(r));

    // 3. The same fan-out (LiveFanout: BPF, summaries, queues) on a bare ws server: no Nest, no chDB.
    const http3 = createServer();
    const wss3 = new WebSocketServer({ server: http3, path: '/ws' });
    await new Promise<void>((r) => http3.listen(0, '127.0.0.1', r));
    const bare = new LiveFanout({
      queueSize: 4096,
      slowCloseMs: 5000,
      rawMaxBytes: 256,
      maxSubscriptions: 16,
      compile: compileBpf,
      summarizer: new PacketSummarizer(),
    });
    wss3.on('connection', (ws) => {
      const session = bare.add(ws, 'viewer');
      ws.on('message', (d: Buffer) => session.handleMessage(d.toString()));
      ws.on('close', () => bare.remove(session));
    });
    const c3 = startClients(`ws://127.0.0.1:${(http3.address() as AddressInfo).port}/ws`, '', sub);
    procs.push(c3.proc);
    await c3.ready;
    const publish3 = (n: number): void => {
      stamp(view, batch.offs, n);
      bare.onFrames({
        iface: 'bench0',
        linkType: 1,
        buf: batch.buf,
        view,
        count: n,
        byteLength: batch.offs[n - 1]! + 16 + 128,
      });
    };
    const pending3 = (): number => [...bare.sessions].reduce((q, x) => q + x.queued + x.socket.bufferedAmount, 0);
    await drive(publish3, WARMUP_S);
    await drained(pending3);
    await c3.reset();
    const r3 = await drive(publish3);
    await drained(pending3);
    const rep3 = await c3.report();
    results.push({
      name: 'LiveFanout on bare ws',
      offered: r3.offered * CLIENTS,
      delivered: rep3.frames,
      p50: percentile(rep3.hist, rep3.frames, 0.5),
      p99: percentile(rep3.hist, rep3.frames, 0.99),
      max: percentile(rep3.hist, rep3.frames, 1),
      serverCpuPct: r3.cpuPct,
      clientCpuPct: (rep3.cpuMs / (SECONDS * 1000)) * 100,
      lost: rep3.lost,
    });
    bare.closeAll(1001, 'bench over');
    for (const c of wss3.clients) c.terminate();
    wss3.close();
    await new Promise((r) => http3.close(r));

    console.log(
      `\nWebSocket fan-out: ${CLIENTS} clients × ${RATE} frames/s for ${SECONDS} s (${TICK_MS} ms batches), 2-core machine`,
    );
    console.log('| server | frames offered | delivered | p50 ms | p99 ms | max ms | server CPU | clients CPU | lost |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.offered} | ${r.delivered} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.serverCpuPct.toFixed(0)}% | ${r.clientCpuPct.toFixed(0)}% | ${r.lost} |`,
      );
    }
    console.log(
      `nicscope: p99 ratio vs plain ws ${(results[0]!.p99 / results[1]!.p99).toFixed(2)}, CPU ratio ${(results[0]!.serverCpuPct / results[1]!.serverCpuPct).toFixed(2)}; fan-out stats ${JSON.stringify(stats)}`,
    );

    expect(results[0]!.delivered).toBe(results[0]!.offered);
    expect(results[0]!.lost).toBe(0);
    expect(results[0]!.p99).toBeLessThan(50);
  });
});
