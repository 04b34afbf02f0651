/** pcap savefiles (what tcpdump -w writes; tcpdump and tshark read them). */
import { type PacketBatch } from './batch.js';
import { PcapError, wrapNative } from './errors.js';
import { loadAddon, type NativeWriter } from './native.js';

export interface PcapWriterOptions {
  /** 'nano' (default) writes the nanosecond pcap magic; 'micro' the classic one. */
  precision?: 'micro' | 'nano';
}

export class PcapWriter {
  private closed = false;
  packets = 0;

  private constructor(
    readonly path: string,
    private readonly w: NativeWriter,
  ) {}

  static open(path: string, linkType: number, snaplen = 262144, opts: PcapWriterOptions = {}): PcapWriter {
    const { Writer } = loadAddon();
    const w = wrapNative(() => new Writer(path, linkType, snaplen, (opts.precision ?? 'nano') === 'nano'));
    return new PcapWriter(path, w);
  }

  writeBatch(batch: PacketBatch): void {
    if (this.closed) throw new PcapError(`writer for "${this.path}" is closed`);
    this.w.writeBatch(batch.buf.subarray(0, batch.byteLength), batch.count);
    this.packets += batch.count;
  }

  write(buf: Uint8Array, off: number, caplen: number, wirelen: number, tsSec: number, tsNsec: number): void {
    if (this.closed) throw new PcapError(`writer for "${this.path}" is closed`);
    this.w.write(buf, off, caplen, wirelen, tsSec, tsNsec);
    this.packets++;
  }

  flush(): void {
    if (!this.closed) wrapNative(() => this.w.flush(), `writing "${this.path}"`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.w.close();
  }
}
