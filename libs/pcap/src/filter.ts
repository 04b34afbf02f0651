/**
 * A BPF program compiled once (pcap_compile, tcpdump syntax) and tested against bytes already
 * captured (pcap_offline_filter): per-subscriber filtering of the live stream.
 */
import { LinkType, type PacketBatch } from './batch.js';
import { PcapError, wrapNative } from './errors.js';
import { loadAddon, type NativeFilter } from './native.js';

export class BpfFilter {
  private readonly f: NativeFilter;
  private matches = new Uint8Array(0);

  /** Throws PcapError with libpcap's own text for a bad expression. */
  constructor(
    readonly expr: string,
    readonly linkType: number = LinkType.EN10MB,
    readonly snaplen = 262144,
  ) {
    const { Filter } = loadAddon();
    this.f = wrapNative(() => new Filter(expr, linkType, snaplen));
  }

  /** Does the packet at buf[off, off+caplen) match? */
  test(buf: Uint8Array, off: number, caplen: number, wirelen: number = caplen): boolean {
    return this.f.test(buf, off, caplen, wirelen);
  }

  /**
   * One flag per packet of the batch (1 = matches). The returned array is reused by the next
   * call unless `out` is given; `lastMatches` holds the number of matches.
   */
  testBatch(batch: PacketBatch, out?: Uint8Array): Uint8Array {
    let res = out;
    if (!res) {
      if (this.matches.length < batch.count) this.matches = new Uint8Array(Math.max(batch.count, 1024));
      res = this.matches;
    }
    if (res.length < batch.count)
      throw new PcapError(`testBatch: out has ${res.length} slots for ${batch.count} packets`);
    this.lastMatches = this.f.testBatch(batch.buf.subarray(0, batch.byteLength), batch.count, res);
    return res.subarray(0, batch.count);
  }
  lastMatches = 0;

  /** Releases the compiled program now (otherwise when collected). */
  dispose(): void {
    this.f.free();
  }
}
