/**
 * Live capture on one interface: libpcap with TPACKET_V3, non-blocking, polled by libuv on the
 * selectable fd. Each wakeup hands one batch (many packets, one buffer) to JavaScript.
 * Promiscuous mode is the packet socket's membership (PACKET_MR_PROMISC, what libpcap does on
 * Linux): the kernel takes it back when the socket closes, even when the process is SIGKILLed.
 */
import { LinkType, MutableBatch, batchBufferSize, type PacketBatch } from './batch.js';
import { PcapError, wrapNative } from './errors.js';
import { loadAddon, type NativeHandle } from './native.js';

export type Direction = 'in' | 'out' | 'inout';

export interface LiveOptions {
  device: string;
  /** Bytes kept per packet (default 262144). */
  snaplen?: number;
  /** Default true (ignored for `any`, where Linux has no promiscuous mode). */
  promisc?: boolean;
  /** Kernel ring size in bytes (default 16 MiB). */
  bufferSize?: number;
  /** Block timeout: the longest a packet waits before delivery (default 50 ms). */
  timeoutMs?: number;
  /** Deliver every packet at once (costly under load; defeats batching). */
  immediate?: boolean;
  filter?: string;
  direction?: Direction;
  /**
   * Link type to ask for (pcap_set_datalink). Default: LINUX_SLL2 on `any` (it carries the
   * interface index of each packet, as tcpdump picks it), the device's own type elsewhere.
   */
  linkType?: number;
}

export interface CaptureStats {
  recv: number;
  drop: number;
  ifdrop: number;
}

export const LIVE_DEFAULTS = { snaplen: 262144, bufferSize: 16 << 20, timeoutMs: 50 } as const;

export class LiveCapture {
  readonly linkType: number;
  readonly linkName: string;
  readonly snaplen: number;
  readonly promisc: boolean;
  readonly timeoutMs: number;
  /** libpcap's warning from activation, if any (e.g. promiscuous mode not supported). */
  readonly warning: string;
  /** Whether the kernel gives nanosecond timestamps (else microseconds × 1000). */
  readonly nanoTimestamps: boolean;
  /** Batches and packets delivered so far. */
  batches = 0;
  packets = 0;
  /** The error that stopped the capture (e.g. the interface went away). */
  error: PcapError | undefined;

  private readonly batch: MutableBatch;
  private running = false;
  private closed = false;
  private onBatch: ((b: PacketBatch) => void) | undefined;
  private onError: ((e: PcapError) => void) | undefined;
  private readonly statsOut = new Float64Array(3);

  private constructor(
    readonly device: string,
    private readonly h: NativeHandle,
    opts: { promisc: boolean; timeoutMs: number },
  ) {
    const info = h.info();
    this.linkType = info.linkType;
    this.linkName = info.linkName;
    this.snaplen = info.snaplen;
    this.warning = info.warning;
    this.nanoTimestamps = info.nanoTs;
    this.promisc = opts.promisc;
    this.timeoutMs = opts.timeoutMs;
    this.batch = new MutableBatch(new Uint8Array(batchBufferSize(this.snaplen, 4 << 20)));
  }

  /** Opens and activates the capture (packets queue in the kernel ring until start()). */
  static open(opts: LiveOptions): LiveCapture {
    if (!opts.device) throw new PcapError('no interface given');
    const promisc = opts.device === 'any' ? false : (opts.promisc ?? true);
    const timeoutMs = opts.timeoutMs ?? LIVE_DEFAULTS.timeoutMs;
    const { Handle } = loadAddon();
    const h = new Handle();
    wrapNative(() =>
      h.openLive({
        device: opts.device,
        snaplen: opts.snaplen ?? LIVE_DEFAULTS.snaplen,
        promisc,
        bufferSize: opts.bufferSize ?? LIVE_DEFAULTS.bufferSize,
        timeoutMs,
        immediate: opts.immediate ?? false,
        direction: opts.direction ?? 'inout',
        dataLink: opts.linkType ?? (opts.device === 'any' ? LinkType.LINUX_SLL2 : -1),
      }),
    );
    const cap = new LiveCapture(opts.device, h, { promisc, timeoutMs });
    if (opts.filter) {
      try {
        cap.setFilter(opts.filter);
      } catch (e) {
        cap.close();
        throw e;
      }
    }
    return cap;
  }

  /**
   * Delivers batches on the event loop. The batch object and its buffer are reused: they are only
   * valid during the callback. `onError` gets a failure of the capture (interface gone…); the
   * capture is stopped then. Without it the error is kept in `error`.
   */
  start(onBatch: (batch: PacketBatch) => void, onError?: (e: PcapError) => void): void {
    if (this.closed) throw new PcapError(`capture on "${this.device}" is closed`);
    if (this.running) throw new PcapError(`capture on "${this.device}" already started`);
    this.onBatch = onBatch;
    this.onError = onError;
    this.running = true;
    wrapNative(() => this.h.start(this.batch.buf, this.deliver));
  }

  private readonly deliver = (count: number, bytes: number, err?: string): void => {
    if (count < 0) {
      this.error = new PcapError(`capture on "${this.device}": ${err ?? 'failed'}`);
      this.stopPolling();
      this.onError?.(this.error);
      return;
    }
    this.batch.count = count;
    this.batch.byteLength = bytes;
    this.batches++;
    this.packets += count;
    this.onBatch?.(this.batch);
  };

  /** Delivers what the kernel has handed over, then stops (the handle stays open for stats()). */
  stop(): void {
    if (!this.running) return;
    this.h.stop();
    this.running = false;
  }

  /**
   * Waits for the kernel to hand over the last partly-filled block (up to timeoutMs), delivers it,
   * then stops: nothing captured before the call is lost.
   */
  async drainAndStop(): Promise<void> {
    if (!this.running) return;
    await new Promise((r) => setTimeout(r, this.timeoutMs + 30));
    this.stop();
  }

  private stopPolling(): void {
    if (!this.running) return;
    this.running = false;
    try {
      this.h.stop();
    } catch {
      /* already failing */
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Received, dropped by the kernel buffer, dropped by the interface (cumulative since open). */
  stats(): CaptureStats {
    if (this.closed) throw new PcapError(`capture on "${this.device}" is closed`);
    wrapNative(() => this.h.stats(this.statsOut), `stats of "${this.device}"`);
    return { recv: this.statsOut[0]!, drop: this.statsOut[1]!, ifdrop: this.statsOut[2]! };
  }

  /** Throws PcapError with libpcap's text for a bad expression. */
  setFilter(expr: string): void {
    wrapNative(() => this.h.setFilter(expr));
  }

  /** Stops and closes the socket (the kernel drops the promiscuous membership). */
  close(): void {
    if (this.closed) return;
    this.running = false;
    this.closed = true;
    this.h.close();
  }
}
