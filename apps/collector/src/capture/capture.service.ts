/**
 * Runs one capture worker per selected interface, follows the inventory (interfaces that appear
 * later are captured, those that vanish are let go), and hands what the workers post to storage and
 * to the live path. Flow records, frame samples and counters never block capture: the workers post,
 * this thread writes into the batch writers (whose overflow goes to the spool, counted).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PinoLogger } from 'nestjs-pino';
import { type NicscopeConfig } from '@nicscope/config';
import { type LivePublisher } from '@nicscope/contracts';
import { InterfaceWatcher, type InventoryChange, type NetInterface } from '@nicscope/netdev';
import { flows, frames, type Storage } from '@nicscope/storage';
import { CONFIG } from '../config/config.module';
import { LIVE_PUBLISHER } from '../live/live.tokens';
import { flowUpdates } from '../pipeline/flow-live';
import { writeFlowRows } from '../pipeline/flow-rows';
import { writeFrameRows } from '../pipeline/frame-rows';
import { type MainMessage, type WorkerInit, type WorkerMessage, type WorkerStats } from '../pipeline/worker-protocol';
import { interfaceSelector } from './select';

export interface CaptureState {
  readonly itf: NetInterface;
  worker: Worker | undefined;
  linkType: number;
  stats: WorkerStats | undefined;
  error: string | undefined;
  running: boolean;
  /** Times the flows writer was behind when this capture's records arrived (backpressure). */
  backpressure: number;
  stopped: Promise<void> | undefined;
}

/** The compiled worker: next to this file in dist/, or in dist/ when running from sources (tests). */
function workerPath(): string {
  const here = join(__dirname, '..', 'pipeline', 'capture.worker.js');
  if (existsSync(here)) return here;
  const root = join(__dirname, '..', '..', '..', '..');
  return join(root, 'dist', 'apps', 'collector', 'src', 'pipeline', 'capture.worker.js');
}

@Injectable()
export class CaptureService {
  readonly captures = new Map<string, CaptureState>();
  private readonly live: Int32Array;
  private readonly liveSab = new SharedArrayBuffer(4);
  private watcher: InterfaceWatcher | undefined;
  private storage: Storage | undefined;
  private collector = '';
  private readonly select: (i: NetInterface) => boolean;
  private stopping = false;
  /** Worker messages this thread failed to handle (a bug; logged at the first). */
  messageErrors = 0;
  /** Called after each inventory change (the inventory writer listens). */
  onInventory: ((list: readonly NetInterface[]) => void) | undefined;
  /** Counters of captures that have ended (their worker is gone), so totals never go back. */
  readonly ended = { packets: 0, bytes: 0, drops: 0, ifdrops: 0, malformed: 0, evictions: 0 };

  constructor(
    @Inject(CONFIG) private readonly cfg: NicscopeConfig,
    private readonly log: PinoLogger,
    @Optional() @Inject(LIVE_PUBLISHER) private readonly publisher?: LivePublisher,
  ) {
    this.log.setContext('capture');
    this.live = new Int32Array(this.liveSab);
    this.select = interfaceSelector(cfg.capture);
  }

  /** Starts following the inventory; captures begin as soon as the first poll lists interfaces. */
  async start(storage: Storage, collector: string, netns?: string): Promise<void> {
    this.storage = storage;
    this.collector = collector;
    this.watcher = new InterfaceWatcher({ intervalMs: 2000, netns, ovsDb: false });
    await new Promise<void>((resolve) => {
      this.watcher!.start((c) => {
        this.onChange(c);
        resolve();
      });
    });
  }

  /** Live frame subscribers tell the workers to post raw batches (0 = none: no copies at all). */
  setLiveFrames(on: boolean): void {
    Atomics.store(this.live, 0, on ? 1 : 0);
  }

  private onChange(c: InventoryChange): void {
    if (this.stopping) return;
    const list = this.watcher?.current ?? [];
    for (const itf of list) {
      const known = this.captures.get(itf.name);
      // An interface that is down cannot be captured yet: its next change (coming up) starts it.
      const up = itf.flags.includes('UP');
      if (up && this.select(itf) && (!known || (!known.running && !known.worker))) this.startCapture(itf);
    }
    for (const gone of c.removed) {
      const st = this.captures.get(gone.name);
      if (st) void this.stopCapture(st, 'interface removed');
    }
    this.onInventory?.(list);
  }

  private startCapture(itf: NetInterface): void {
    const c = this.cfg.capture;
    const init: WorkerInit = {
      device: itf.name,
      ifindex: itf.ifindex,
      mac: itf.mac && itf.mac !== '00:00:00:00:00:00' ? itf.mac : null,
      promisc: c.promisc,
      snaplen: c.snaplen,
      bufferSize: c.bufferMb * 1024 * 1024,
      timeoutMs: c.timeoutMs,
      immediate: c.immediate,
      filter: c.filter,
      flow: this.cfg.flow,
      sampleRate: this.cfg.frames.sampleRate,
      reportMs: 1000,
      live: this.liveSab,
    };
    const st: CaptureState = this.captures.get(itf.name) ?? {
      itf,
      worker: undefined,
      linkType: 0,
      stats: undefined,
      error: undefined,
      running: false,
      backpressure: 0,
      stopped: undefined,
    };
    this.captures.set(itf.name, st);
    const worker = new Worker(workerPath(), { workerData: init });
    st.worker = worker;
    st.running = true;
    st.error = undefined;
    st.stopped = new Promise((resolve) => {
      worker.once('exit', () => {
        if (st.stats) {
          this.ended.packets += st.stats.packets;
          this.ended.bytes += st.stats.bytes;
          this.ended.drops += st.stats.drop;
          this.ended.ifdrops += st.stats.ifdrop;
          this.ended.malformed += st.stats.malformed;
          this.ended.evictions += st.stats.evictions;
          st.stats = undefined;
        }
        st.worker = undefined;
        st.running = false;
        resolve();
      });
    });
    worker.on('message', (m: WorkerMessage) => {
      try {
        this.onMessage(st, m);
      } catch (e) {
        // A bug on this side must not take the collector down: counted and logged once per kind.
        this.messageErrors++;
        if (this.messageErrors === 1)
          this.log.error({ iface: itf.name, err: (e as Error).stack }, 'failed to handle a capture message');
      }
    });
    worker.on('error', (e) => {
      st.error = e.message;
      this.log.error({ iface: itf.name, err: e.message }, 'capture worker failed');
    });
  }

  private onMessage(st: CaptureState, m: WorkerMessage): void {
    const storage = this.storage;
    switch (m.type) {
      case 'ready':
        st.linkType = m.linkType;
        this.log.info(
          { iface: st.itf.name, kind: st.itf.kind, linkType: m.linkType, warning: m.warning || undefined },
          'capturing',
        );
        break;
      case 'flows':
        if (storage && !writeFlowRows(m.slots, m.count, st.itf.name, this.collector, storage.writer(flows)))
          st.backpressure++;
        this.publisher?.publishFlows(flowUpdates(m.slots, m.count, st.itf.name));
        // Read synchronously above: the buffer goes back to the worker for its next records.
        st.worker?.postMessage({ type: 'recycle', slots: m.slots } satisfies MainMessage, [
          m.slots.buffer as ArrayBuffer,
        ]);
        break;
      case 'frames':
        if (storage) writeFrameRows(m.frames, m.sampleRate, this.collector, storage.writer(frames));
        break;
      case 'stats':
        st.stats = m.stats;
        break;
      case 'live':
        if (this.publisher?.wantsFrames) {
          this.publisher.publishFrames({
            iface: st.itf.name,
            linkType: m.linkType,
            buf: m.buf,
            view: new DataView(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength),
            count: m.count,
            byteLength: m.buf.byteLength,
          });
        }
        break;
      case 'error':
        st.error = m.message;
        this.log.warn({ iface: st.itf.name, err: m.message }, 'capture stopped');
        break;
      case 'stopped':
        break;
    }
  }

  private async stopCapture(st: CaptureState, why: string): Promise<void> {
    const w = st.worker;
    if (!w) return;
    this.log.info({ iface: st.itf.name, why }, 'stopping capture');
    w.postMessage({ type: 'stop' } satisfies MainMessage);
    const timer = setTimeout(() => void w.terminate(), 5000);
    await st.stopped;
    clearTimeout(timer);
  }

  /** Stops every capture: the workers flush their flows (end reason capture_end) first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.watcher?.stop();
    await Promise.all([...this.captures.values()].map((st) => this.stopCapture(st, 'shutdown')));
  }
}
