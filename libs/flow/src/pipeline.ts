/**
 * The per-batch loop shared by replay and live capture: decode every record of a batch with one
 * FrameParser, count it, account it in the flow table. One try/catch per batch: a frame that throws
 * (a decoder bug) is counted as decoder_exception and skipped; the batch goes on after it.
 */
import { DecodeSummary, FrameParser } from '@nicscope/packet';
import { FlowTable, type FlowSink, type FlowTableOptions } from './table.js';

/** The batch layout of @nicscope/pcap (structural, so this lib needs no I/O import). */
export interface BatchLike {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly count: number;
}

const HDR = 16;

export class FramePipeline {
  readonly parser = new FrameParser();
  readonly summary = new DecodeSummary();
  readonly table: FlowTable;
  /** Called per decoded frame when set (a terminal or a live subscriber is watching); off otherwise. */
  onFrame: ((p: FrameParser, sec: number, nsec: number) => void) | null = null;

  constructor(opts: FlowTableOptions, sink: FlowSink) {
    this.table = new FlowTable(opts, sink);
  }

  processBatch(b: BatchLike, linkType: number, iface: number): void {
    const { buf, view, count } = b;
    const p = this.parser;
    const s = this.summary;
    const t = this.table;
    let i = 0;
    let off = 0;
    while (i < count) {
      try {
        for (; i < count;) {
          const sec = view.getUint32(off, true);
          const nsec = view.getUint32(off + 4, true);
          const caplen = view.getUint32(off + 8, true);
          const wirelen = view.getUint32(off + 12, true);
          const next = off + HDR + ((caplen + 3) & ~3);
          p.decode(linkType, buf, view, off + HDR, caplen, wirelen);
          s.add(p);
          t.add(p, iface, sec, nsec);
          if (this.onFrame !== null) this.onFrame(p, sec, nsec);
          off = next;
          i++;
        }
      } catch {
        p.countException();
        const caplen = view.getUint32(off + 8, true);
        off += HDR + ((caplen + 3) & ~3);
        i++;
      }
    }
  }
}
