// Benchmark: `npm run bench -- bench/replay.bench.ts`. Needs tcpdump, tshark and softflowd.
// Replays a generated mixed pcap (2M packets, cached under bench/out/) through the decoder and the
// flow table in a fresh Node process (bench/lib/replay-runs.cjs, the built code), and runs tcpdump, tshark and softflowd over the same file in the same
// run. Prints ratios, heap growth and GC count per 1M frames; asserts the targets of docs/flows.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import type * as FlowLib from '@nicscope/flow';
import type * as PacketLib from '@nicscope/packet';
import { writeMixedPcap } from './gen/mixed-pcap.js';
import * as B from '../libs/packet/test/build.js';

/**
 * The replays run in a fresh Node process over the build the `nicscope` command runs (dist/, tsc
 * output; `npm run bench` builds it first): bench/lib/replay-runs.cjs. Not in this vitest worker:
 * vitest's transform of the sources makes every imported binding a getter of a module-runner
 * object (the same loop measured 25-35 % slower), and the worker's own heap state made whole
 * attempts 30-50 % slower than the next attempt of the same code.
 */
const dist = createRequire(__filename);
const { FlowTable } = dist('../dist/libs/flow/src/index.js') as typeof FlowLib;
const { FrameParser } = dist('../dist/libs/packet/src/index.js') as typeof PacketLib;
const RUNNER = join(__dirname, 'lib', 'replay-runs.cjs');

const PACKETS = Number(process.env.NICSCOPE_BENCH_PACKETS ?? 2_000_000);
const OUT = join(__dirname, 'out');
const FILE = join(OUT, `mixed-${PACKETS}.pcap`);
/**
 * Many flows at once: 1M packets with ≈ 40,000 sessions interleaved (the default file has ≈ 4000),
 * as on a host that opens 100k flows a second: the flow table's hot records no longer fit in the
 * caches, and each packet's index slot and record is a cache miss (decision 0407).
 */
const WIDE_CONCURRENT = 40_000;
const FILE_WIDE = join(OUT, `mixed-1000000-c${WIDE_CONCURRENT}.pcap`);

interface Run {
  seconds: number;
  /** CPU time (user + system) of the replaying process during the run: the one core it used. */
  cpu: number;
  frames: number;
  records: number;
  gcs: number;
  heapGrowth: number;
}

/** Replays the file in a fresh process: `runs` measured runs after `warmups` (JIT) runs. */
function replayRuns(mode: 'flows' | 'ndjson' | 'read', warmups: number, runs: number, file = FILE): Run[] {
  const r = spawnSync(process.execPath, [RUNNER, file, String(warmups), String(runs), mode], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: 600_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Run[];
}

/**
 * Runs a peer under GNU time with its stdio on files, bounded to 120 s: wall and CPU (user + system)
 * seconds. The bound is a safety net: softflowd 1.1.0 with -r and a control socket (-c PATH) tests
 * the `revents` of a poll array it never filled (it polls only when reading live); in Debian's build
 * that stack slot holds bytes 12-13 of the socket path, so any path longer than 12 characters sends
 * it into a blocking accept() before it reads a packet. Not vitest-specific; softflowd runs -c none.
 */
function timeCmd(argv: string[], dir: string): { seconds: number; cpu: number; status: number | null; stderr: string } {
  const tf = join(dir, 'time.txt');
  const out = join(dir, 'out.txt');
  const r = spawnSync(
    'sh',
    ['-c', `timeout 120 /usr/bin/time -o '${tf}' -f 'TIME %e %U %S' "$@" </dev/null >'${out}' 2>&1`, 'sh', ...argv],
    {
      encoding: 'utf8',
      timeout: 900_000,
    },
  );
  const t = existsSync(tf) ? readFileSync(tf, 'utf8') : '';
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(t);
  const tail = existsSync(out) ? readFileSync(out, 'utf8').slice(-2000) : '';
  return {
    seconds: Number(m?.[1] ?? NaN),
    cpu: Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN),
    status: r.status,
    stderr: tail + t,
  };
}

describe('replay benchmark', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nicscope-bench-replay-'));
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
    if (!existsSync(FILE_WIDE)) writeMixedPcap(FILE_WIDE, 1_000_000, WIDE_CONCURRENT);
    if (!existsSync(FILE)) {
      const t0 = Date.now();
      const sessions = writeMixedPcap(FILE, PACKETS);
      console.log(
        `generated ${FILE}: ${PACKETS} packets, ${sessions} sessions, ${(statSync(FILE).size / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  }, 600_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('replays at >= 3 M packets/s on one core and >= 2x softflowd, next to tcpdump and tshark', () => {
    // Best of five after two warm-up runs (the optimising tier settles over the first two): on a
    // shared VM the same run varies by ±15 % from one minute to the next, and noise only adds time.
    const runs = replayRuns('flows', 2, 5);
    const best = runs.reduce((a, b) => (b.cpu < a.cpu ? b : a));
    const withJson = replayRuns('ndjson', 1, 1)[0]!;
    const read = replayRuns('read', 1, 1)[0]!;
    expect(read.frames).toBe(PACKETS);
    expect(best.frames).toBe(PACKETS);
    const tcpdump = timeCmd(['tcpdump', '-r', FILE, '-w', '/dev/null'], tmp);
    const tshark = timeCmd(['tshark', '-q', '-z', 'conv,ip', '-r', FILE], tmp);
    // -d: stay in the foreground (and exit at the end of the file); -m: as many flows as ours;
    // -c none: no control socket (with one, softflowd -r hangs in accept(): see timeCmd);
    // -p: its pid file path, which it unlinks at exit (the default is /var/run/softflowd.pid).
    const softflowd = timeCmd(
      ['softflowd', '-d', '-r', FILE, '-m', '1000000', '-6', '-p', join(tmp, 'pid'), '-c', 'none'],
      tmp,
    );
    const pps = best.frames / best.cpu;
    const per1M = 1e6 / best.frames;
    const rows = [
      ['nicscope replay (decode + flows)', best.seconds, best.cpu],
      ['nicscope replay + NDJSON records', withJson.seconds, withJson.cpu],
      ['nicscope reading the file only', read.seconds, read.cpu],
      ['tcpdump -r f -w /dev/null', tcpdump.seconds, tcpdump.cpu],
      ['tshark -q -z conv,ip -r f', tshark.seconds, tshark.cpu],
      ['softflowd -d -r f', softflowd.seconds, softflowd.cpu],
    ] as const;
    console.log(
      `\nreplay of ${PACKETS} packets (${(statSync(FILE).size / 1e6).toFixed(0)} MB), ${best.records} flow records; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    );
    console.log(
      `  ${'tool'.padEnd(34)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)} ${'Mpkt/s cpu'.padStart(11)}  ratio (cpu) to nicscope`,
    );
    for (const [name, wall, cpu] of rows)
      console.log(
        `  ${name.padEnd(34)} ${wall.toFixed(3).padStart(8)} ${cpu.toFixed(3).padStart(8)} ${(PACKETS / cpu / 1e6).toFixed(2).padStart(11)}  ${(cpu / best.cpu).toFixed(2)}x`,
      );
    console.log(
      `  heap growth ${((best.heapGrowth * per1M) / 1e6).toFixed(2)} MB and ${(best.gcs * per1M).toFixed(1)} GCs per 1M frames (cpu of the runs: ${runs.map((r) => r.cpu.toFixed(3)).join(', ')} s)`,
    );
    expect(tcpdump.status).toBe(0);
    expect(tshark.status).toBe(0);
    expect(softflowd.status, softflowd.stderr).toBe(0);
    expect(pps).toBeGreaterThanOrEqual(3e6);
    expect(softflowd.cpu / best.cpu).toBeGreaterThanOrEqual(2);
  }, 900_000);

  it(`many flows at once (${WIDE_CONCURRENT} sessions interleaved): >= 2x softflowd`, () => {
    const runs = replayRuns('flows', 2, 5, FILE_WIDE);
    const best = runs.reduce((a, b) => (b.cpu < a.cpu ? b : a));
    const softflowd = timeCmd(
      ['softflowd', '-d', '-r', FILE_WIDE, '-m', '1000000', '-6', '-p', join(tmp, 'pid'), '-c', 'none'],
      tmp,
    );
    expect(best.frames).toBe(1_000_000);
    expect(softflowd.status, softflowd.stderr).toBe(0);
    console.log(
      `\nreplay of ${FILE_WIDE} (${WIDE_CONCURRENT} sessions interleaved), ${best.records} flow records:\n` +
        `  nicscope replay (decode + flows), best of 5: ${best.seconds.toFixed(3)} s wall, ${best.cpu.toFixed(3)} s CPU → ${(best.frames / best.cpu / 1e6).toFixed(2)} M packets/s (runs ${runs.map((r) => r.cpu.toFixed(3)).join(', ')} s)\n` +
        `  softflowd -d -r f: ${softflowd.seconds.toFixed(2)} s wall, ${softflowd.cpu.toFixed(2)} s CPU → ratio ${(softflowd.cpu / best.cpu).toFixed(2)}x`,
    );
    expect(softflowd.cpu / best.cpu).toBeGreaterThanOrEqual(2);
  }, 900_000);

  it('holds 1M concurrent flows in under 300 MB', () => {
    const before = process.memoryUsage();
    let ended = 0;
    const table = new FlowTable(
      { maxFlows: 1_000_000, idleTimeoutS: 86400, activeTimeoutS: 86400, interimS: 0 },
      () => ended++,
    );
    const p = new FrameParser();
    const frame = B.eth(
      '02:00:00:00:00:02',
      '02:00:00:00:00:01',
      0x0800,
      B.ipv4({ src: '10.200.0.1', dst: '10.200.0.2', proto: 17 }, B.udp(1, 2, new Uint8Array(18))),
    );
    const view = B.viewOf(frame);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1_000_000; i++) {
      view.setUint32(26, (0x0ac80000 | (i >>> 8)) >>> 0); // source address
      view.setUint16(34, 1024 + (i & 0xff)); // source port
      p.decode(1, frame, view, 0, frame.length, frame.length);
      table.add(p, 0, 1_764_000_000, i);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = process.memoryUsage();
    expect(table.active).toBe(1_000_000);
    expect(ended).toBe(0);
    const tableBytes = table.byteSize();
    const rssGrowth = after.rss - before.rss;
    const total = tableBytes + Math.max(0, after.heapUsed - before.heapUsed);
    console.log(
      `\n1M concurrent flows: table ${(tableBytes / 1e6).toFixed(1)} MB (${(tableBytes / 1e6).toFixed(0)} B/flow), heap growth ${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1)} MB, RSS growth ${(rssGrowth / 1e6).toFixed(1)} MB, RSS ${(after.rss / 1e6).toFixed(0)} MB; 1M inserts in ${seconds.toFixed(2)} s`,
    );
    expect(total).toBeLessThan(300e6);
    expect(rssGrowth).toBeLessThan(300e6);
  }, 300_000);
});
