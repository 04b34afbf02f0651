/**
 * A capture process for the tests: runs a CaptureSession (libs/pcap) inside a network namespace
 * (started with `ip netns exec`), prints `{"event":"ready"}` once capturing, and on SIGTERM (or
 * when COUNT is reached) drains, closes and prints `{"event":"done", ...}` with its counters and
 * the kernel statistics. Option stallFile blocks the event loop on the first batch until that file
 * exists: a stalled consumer. Transpiled by child.ts; never imported by the tests themselves.
 */
import { existsSync } from 'node:fs';
import { CaptureSession, type SessionOptions } from '@nicscope/pcap';

const opts = JSON.parse(process.argv[2] ?? '{}') as Omit<SessionOptions, 'onBatch' | 'onDone'> & {
  /** Stall on the first batch until this file exists (at most 30 s). */
  stallFile?: string;
};
let stalled = false;
let cpu0 = process.cpuUsage();
let finishing = false;
const session = new CaptureSession({
  ...opts,
  onBatch: () => {
    if (opts.stallFile && !stalled) {
      stalled = true;
      process.stdout.write(JSON.stringify({ event: 'stalling' }) + '\n');
      const nap = new Int32Array(new SharedArrayBuffer(4));
      const end = Date.now() + 30_000;
      while (!existsSync(opts.stallFile) && Date.now() < end) Atomics.wait(nap, 0, 0, 10);
    }
  },
  onDone: () => void finish(),
});

async function finish(): Promise<void> {
  if (finishing) return;
  finishing = true;
  if (!session.finished) await session.drain();
  const stats = session.stats();
  const result = session.interfaces.map((i, k) => ({
    device: i.device,
    linkType: i.capture.linkType,
    packets: i.packets,
    bytes: i.bytes,
    backwards: i.backwards,
    first: [i.firstSec, i.firstNsec],
    last: [i.lastSec, i.lastNsec],
    batches: i.capture.batches,
    error: i.error,
    stats: stats[k]?.stats,
  }));
  const cpu = process.cpuUsage(cpu0);
  session.close();
  process.stdout.write(JSON.stringify({ event: 'done', interfaces: result, cpuUs: cpu.user + cpu.system }) + '\n', () =>
    process.exit(0),
  );
}

process.on('SIGTERM', () => void finish());
process.on('SIGINT', () => void finish());
session.start();
cpu0 = process.cpuUsage();
process.stdout.write(
  JSON.stringify({ event: 'ready', linkTypes: session.interfaces.map((i) => i.capture.linkType) }) + '\n',
);
