/** Reading pcap and pcapng files through the same batch layout as live capture. */
import { accessSync, constants, statSync } from 'node:fs';
import { MutableBatch, batchBufferSize, type PacketBatch } from './batch.js';
import { PcapError, wrapNative } from './errors.js';
import { sniffFile, type FileFormat, type TsPrecision } from './file-format.js';
import { loadAddon, type NativeHandle } from './native.js';

export interface OfflineOptions {
  /** tcpdump-syntax filter applied while reading. */
  filter?: string;
  /** Default packets per readBatch (4096). */
  batchPackets?: number;
}

const DEFAULT_BATCH_PACKETS = 4096;

export class OfflineCapture {
  readonly linkType: number;
  /** libpcap's name of the link type, e.g. EN10MB, LINUX_SLL2. */
  readonly linkName: string;
  readonly snaplen: number;
  /** The precision the file itself stores; batches always carry nanoseconds. */
  readonly tsPrecision: TsPrecision;
  readonly format: FileFormat;
  /** Set when reading stopped at a damaged or truncated record; the packets before it were delivered. */
  truncatedError: string | undefined;
  /** Packets delivered so far. */
  packets = 0;

  private readonly work: Uint8Array;
  private readonly out = new Uint32Array(3);
  private readonly defaultMax: number;
  private eof = false;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly h: NativeHandle,
    opts: OfflineOptions,
  ) {
    const info = h.info();
    this.linkType = info.linkType;
    this.linkName = info.linkName;
    this.snaplen = info.snaplen;
    const sniff = sniffFile(path);
    this.format = sniff.format;
    this.tsPrecision = sniff.tsPrecision;
    this.defaultMax = opts.batchPackets ?? DEFAULT_BATCH_PACKETS;
    this.work = new Uint8Array(batchBufferSize(Math.max(this.snaplen, 65535), 4 << 20));
  }

  /** Opens a pcap or pcapng file; throws PcapError naming the file and what is wrong with it. */
  static open(path: string, opts: OfflineOptions = {}): OfflineCapture {
    try {
      accessSync(path, constants.R_OK);
      if (statSync(path).isDirectory()) throw new PcapError(`cannot read "${path}": is a directory`);
    } catch (e) {
      if (e instanceof PcapError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
      throw new PcapError(`cannot read "${path}": ${why}`);
    }
    const { Handle } = loadAddon();
    const h = new Handle();
    wrapNative(() => h.openOffline(path), `cannot read "${path}" as a pcap or pcapng file`);
    if (opts.filter !== undefined && opts.filter !== '') {
      try {
        wrapNative(() => h.setFilter(opts.filter!));
      } catch (e) {
        h.close();
        throw e;
      }
    }
    return new OfflineCapture(path, h, opts);
  }

  /**
   * The next batch (a fresh buffer each call: batches stay valid after the next read), or null at
   * the end of the file. A damaged record ends the file: the packets before it come first, then
   * `truncatedError` says what was wrong.
   */
  readBatch(maxPackets: number = this.defaultMax): PacketBatch | null {
    if (this.closed) throw new PcapError(`"${this.path}" is closed`);
    if (this.eof) return null;
    const r = this.h.read(this.work, maxPackets, this.out);
    const count = this.out[0]!;
    const bytes = this.out[1]!;
    const status = this.out[2]!;
    if (status === 2) {
      this.truncatedError = `"${this.path}": ${typeof r === 'string' ? r : 'read error'} (after ${this.packets + count} packets)`;
      this.eof = true;
    } else if (status === 1) {
      this.eof = true;
    }
    if (count === 0) return null;
    this.packets += count;
    const b = new MutableBatch(this.work.slice(0, bytes));
    b.count = count;
    b.byteLength = bytes;
    return b;
  }

  /**
   * Like readBatch but into one reused buffer: the batch is valid until the next call. For
   * benchmarks and replays that consume each batch at once.
   */
  readBatchShared(maxPackets: number = this.defaultMax): PacketBatch | null {
    if (this.closed) throw new PcapError(`"${this.path}" is closed`);
    if (this.eof) return null;
    const r = this.h.read(this.work, maxPackets, this.out);
    const count = this.out[0]!;
    if (this.out[2] === 2) {
      this.truncatedError = `"${this.path}": ${typeof r === 'string' ? r : 'read error'} (after ${this.packets + count} packets)`;
      this.eof = true;
    } else if (this.out[2] === 1) this.eof = true;
    if (count === 0) return null;
    this.packets += count;
    this.shared ??= new MutableBatch(this.work);
    this.shared.count = count;
    this.shared.byteLength = this.out[1]!;
    return this.shared;
  }
  private shared: MutableBatch | undefined;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h.close();
  }
}
