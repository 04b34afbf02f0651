/**
 * A capture session over several interfaces: one LiveCapture per interface, an optional pcap file
 * per interface, per-interface counters, a packet budget (-c), and a per-batch hook for whoever
 * wants the frames (the CLI's one-line summaries). Used by `nicscope capture` and the tests.
 */
import { extname } from 'node:path';
import { RECORD_HEADER, type PacketBatch } from './batch.js';
import { LiveCapture, type CaptureStats, type LiveOptions } from './live.js';
import { PcapWriter } from './writer.js';

export interface SessionOptions extends Omit<LiveOptions, 'device'> {
  devices: readonly string[];
  /** Stop after this many packets in total (0 = no limit). */
  count?: number;
  /** pcap file to write; with several interfaces one file each: `name.<iface>.pcap`. */
  writeFile?: string;
  /** Called for every batch after it is counted and written (batch valid during the call only). */
  onBatch?: (iface: SessionInterface, batch: PacketBatch, first: number, n: number) => void;
  /** Called once when the session stops by itself (count reached, or every capture failed). */
  onDone?: (why: 'count' | 'error') => void;
}

export interface SessionInterface {
  readonly device: string;
  readonly capture: LiveCapture;
  readonly writer: PcapWriter | undefined;
  readonly file: string | undefined;
  packets: number;
  bytes: number;
  /** Timestamps of the first and last packets: seconds and nanoseconds. */
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  /** Packets whose timestamp went backwards relative to the previous one on this interface. */
  backwards: number;
  error: string | undefined;
}

/** The pcap file for one interface of a session. */
export function fileForInterface(writeFile: string, device: string, several: boolean): string {
  if (!several) return writeFile;
  const ext = extname(writeFile);
  return ext ? `${writeFile.slice(0, -ext.length)}.${device}${ext}` : `${writeFile}.${device}`;
}

export class CaptureSession {
  readonly interfaces: SessionInterface[] = [];
  private remaining: number;
  private done = false;

  constructor(private readonly opts: SessionOptions) {
    this.remaining = opts.count && opts.count > 0 ? opts.count : Infinity;
    const several = opts.devices.length > 1;
    try {
      for (const device of opts.devices) {
        const capture = LiveCapture.open({ ...opts, device });
        const file = opts.writeFile ? fileForInterface(opts.writeFile, device, several) : undefined;
        let writer: PcapWriter | undefined;
        try {
          writer = file ? PcapWriter.open(file, capture.linkType, capture.snaplen) : undefined;
        } catch (e) {
          capture.close();
          throw e;
        }
        this.interfaces.push({
          device,
          capture,
          writer,
          file,
          packets: 0,
          bytes: 0,
          firstSec: 0,
          firstNsec: 0,
          lastSec: 0,
          lastNsec: 0,
          backwards: 0,
          error: undefined,
        });
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  start(): void {
    for (const itf of this.interfaces) {
      itf.capture.start(
        (b) => this.onBatch(itf, b),
        (e) => {
          itf.error = e.message;
          if (this.interfaces.every((i) => i.error !== undefined)) this.finish('error');
        },
      );
    }
  }

  private onBatch(itf: SessionInterface, b: PacketBatch): void {
    if (this.done) return;
    const n = b.count <= this.remaining ? b.count : this.remaining;
    const v = b.view;
    let off = 0;
    let lastSec = itf.lastSec;
    let lastNsec = itf.lastNsec;
    for (let i = 0; i < n; i++) {
      const sec = v.getUint32(off, true);
      const nsec = v.getUint32(off + 4, true);
      if (sec < lastSec || (sec === lastSec && nsec < lastNsec)) itf.backwards++;
      if (itf.packets + i === 0) {
        itf.firstSec = sec;
        itf.firstNsec = nsec;
      }
      lastSec = sec;
      lastNsec = nsec;
      const caplen = v.getUint32(off + 8, true);
      itf.bytes += v.getUint32(off + 12, true);
      off += RECORD_HEADER + ((caplen + 3) & ~3);
    }
    itf.lastSec = lastSec;
    itf.lastNsec = lastNsec;
    itf.packets += n;
    if (itf.writer && n > 0) {
      if (n === b.count) itf.writer.writeBatch(b);
      else itf.writer.writeBatch({ buf: b.buf, view: b.view, count: n, byteLength: off });
    }
    this.opts.onBatch?.(itf, b, 0, n);
    this.remaining -= n;
    if (this.remaining <= 0) this.finish('count');
  }

  private finish(why: 'count' | 'error'): void {
    if (this.done) return;
    this.done = true;
    // Stop from a fresh tick: we may be inside a capture's callback.
    setImmediate(() => this.opts.onDone?.(why));
  }

  get finished(): boolean {
    return this.done;
  }

  get totalPackets(): number {
    let n = 0;
    for (const i of this.interfaces) n += i.packets;
    return n;
  }

  /** Kernel statistics per interface (undefined for a closed capture). */
  stats(): Array<{ device: string; stats: CaptureStats | undefined }> {
    return this.interfaces.map((i) => {
      try {
        return { device: i.device, stats: i.capture.stats() };
      } catch {
        return { device: i.device, stats: undefined };
      }
    });
  }

  /** Delivers what the kernel still holds (waits one block timeout), then stops every capture. */
  async drain(): Promise<void> {
    await Promise.all(this.interfaces.map((i) => i.capture.drainAndStop()));
  }

  /** Closes captures (promiscuous membership ends with the socket) and files. */
  close(): void {
    for (const i of this.interfaces) {
      i.capture.close();
      i.writer?.close();
    }
  }
}
