/**
 * A capture worker: one interface, off the main event loop. libpcap batches → FramePipeline
 * (decode, classify, flow table) → flow records as float64 slots, sampled frame summaries, counters
 * and, only while someone watches live, copies of the raw batches — all posted to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FramePipeline } from '@nicscope/flow';
import { frameSummary, parseMac, type FrameParser, type FrameSummary } from '@nicscope/packet';
import { LiveCapture, type PacketBatch } from '@nicscope/pcap';
import { FlowWireWriter } from './flow-wire.js';
import { type MainMessage, type WorkerInit, type WorkerMessage, type WorkerStats } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

const wire = new FlowWireWriter();
const pipeline = new FramePipeline(init.flow, (rec) => wire.push(rec));
const live = new Int32Array(init.live);
let frames: FrameSummary[] = [];
let sampleCountdown = init.sampleRate;
let linkType = 0;

const mac = init.mac ? parseMac(init.mac) : null;
pipeline.setNic(mac, init.promisc);

if (init.sampleRate > 0) {
  pipeline.onFrame = (p: FrameParser, sec: number, nsec: number): void => {
    if (--sampleCountdown > 0) return;
    sampleCountdown = init.sampleRate;
    frames.push(frameSummary(p, sec, nsec, init.device));
  };
}

function onBatch(b: PacketBatch): void {
  pipeline.processBatch(b, linkType, init.ifindex);
  if (Atomics.load(live, 0) > 0 && b.count > 0) {
    const copy = b.buf.slice(0, b.byteLength);
    post({ type: 'live', buf: copy, count: b.count, linkType }, [copy.buffer]);
  }
}

function malformed(p: FrameParser): number {
  let n = 0;
  for (let i = 1; i < p.counters.length; i++) n += p.counters[i]!;
  return n;
}

let capture: LiveCapture;
try {
  capture = LiveCapture.open({
    device: init.device,
    promisc: init.promisc,
    snaplen: init.snaplen,
    bufferSize: init.bufferSize,
    timeoutMs: init.timeoutMs,
    immediate: init.immediate,
    filter: init.filter || undefined,
  });
  linkType = capture.linkType;
  post({ type: 'ready', linkType, warning: capture.warning });
  capture.start(onBatch, (e) => post({ type: 'error', message: e.message, fatal: true }));
} catch (e) {
  post({ type: 'error', message: (e as Error).message, fatal: true });
  process.exit(0);
}

function report(final: boolean): void {
  const t = pipeline.table;
  if (!final) {
    const now = Date.now();
    t.tick(Math.floor(now / 1000), (now % 1000) * 1_000_000);
  } else t.flush();
  const taken = wire.take();
  if (taken) post({ type: 'flows', slots: taken.slots, count: taken.count }, [taken.slots.buffer as ArrayBuffer]);
  if (frames.length > 0) {
    post({ type: 'frames', frames, sampleRate: init.sampleRate });
    frames = [];
  }
  let st = { recv: 0, drop: 0, ifdrop: 0 };
  try {
    st = capture.stats();
  } catch {
    /* the interface went away: keep the last counters */
  }
  const s = pipeline.summary;
  const stats: WorkerStats = {
    ...st,
    packets: s.frames,
    bytes: s.bytes,
    malformed: malformed(pipeline.parser),
    flowsActive: t.active,
    flowsCreated: t.flowsCreated,
    evictions: t.evictions,
    rxClasses: Array.from(s.rxClasses),
  };
  post({ type: 'stats', stats });
}

const timer = setInterval(() => report(false), init.reportMs);

port.on('message', (m: MainMessage) => {
  if (m.type === 'recycle') {
    wire.recycle(m.slots);
    return;
  }
  if (m.type !== 'stop') return;
  clearInterval(timer);
  try {
    capture.stop();
  } catch {
    /* already stopped by an error */
  }
  report(true);
  capture.close();
  post({ type: 'stopped' });
  port.close();
});
