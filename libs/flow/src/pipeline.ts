/**
 * The per-batch loop shared by replay and live capture: decode every record of a batch, count it,
 * account it in the flow table. Frames go in groups of up to KEY_RING: each is decoded into a
 * parser of its own and keyed (FlowTable.keyFrame), the table is read where the group's keys
 * point (prefetch: the cache misses of the group overlap instead of coming one after the other),
 * then the frames are accounted in order (decision 0407). A frame that throws (a decoder bug) is
 * counted as decoder_exception and skipped; the batch goes on after it.
 */
import { DecodeSummary, FrameParser } from '@nicscope/packet';
import { FlowTable, KEY_RING, type FlowSink, type FlowTableOptions } from './table.js';

/** The batch layout of @nicscope/pcap (structural, so this lib needs no I/O import). */
export interface BatchLike {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly count: number;
}

const HDR = 16;

export class FramePipeline {
  /** The group's first parser; its counters (malformed frames, snapped, nested tunnels) are the whole pipeline's. */
  readonly parser = new FrameParser();
  private readonly parsers: FrameParser[] = [this.parser];
  private readonly secs = new Float64Array(KEY_RING);
  private readonly nsecs = new Float64Array(KEY_RING);
  readonly summary = new DecodeSummary();
  readonly table: FlowTable;
  /** Called per decoded frame when set (a terminal or a live subscriber is watching); off otherwise. */
  onFrame: ((p: FrameParser, sec: number, nsec: number) => void) | null = null;

  constructor(opts: FlowTableOptions, sink: FlowSink) {
    this.table = new FlowTable(opts, sink);
    for (let i = 1; i < KEY_RING; i++) this.parsers.push(new FrameParser(this.parser));
  }

  /** The capturing NIC, for every parser of the group (see FrameParser.setNic). */
  setNic(mac: { hi: number; lo: number } | null, promisc = false): void {
    for (const p of this.parsers) p.setNic(mac, promisc);
  }

  processBatch(b: BatchLike, linkType: number, iface: number): void {
    const { buf, view, count } = b;
    const ps = this.parsers;
    const s = this.summary;
    const t = this.table;
    const secs = this.secs;
    const nsecs = this.nsecs;
    let i = 0;
    let off = 0;
    while (i < count) {
      // Decode and key up to KEY_RING frames, each into its own parser.
      let n = 0;
      try {
        for (; i < count && n < KEY_RING;) {
          const p = ps[n]!;
          secs[n] = view.getUint32(off, true);
          nsecs[n] = view.getUint32(off + 4, true);
          const caplen = view.getUint32(off + 8, true);
          const wirelen = view.getUint32(off + 12, true);
          const next = off + HDR + ((caplen + 3) & ~3);
          p.decode(linkType, buf, view, off + HDR, caplen, wirelen);
          s.add(p);
          t.keyFrame(p, iface, n);
          off = next;
          i++;
          n++;
        }
      } catch {
        this.parser.countException();
        const caplen = view.getUint32(off + 8, true);
        off += HDR + ((caplen + 3) & ~3);
        i++;
      }
      t.prefetch(n);
      // Account them in order.
      let j = 0;
      while (j < n) {
        try {
          for (; j < n; j++) {
            const p = ps[j]!;
            t.addKeyed(p, j, secs[j]!, nsecs[j]!);
            if (this.onFrame !== null) this.onFrame(p, secs[j]!, nsecs[j]!);
          }
        } catch {
          this.parser.countException();
          j++;
        }
      }
    }
  }
}
