/**
 * Batches: many packets in one buffer. Record at byte offset `off` (little-endian):
 * u32 ts_sec, u32 ts_nsec, u32 caplen, u32 wirelen, then caplen bytes, then padding to a multiple of 4.
 * next record offset = off + 16 + ((caplen + 3) & ~3). Timestamps are always nanoseconds.
 */
export const RECORD_HEADER = 16;

export interface PacketBatch {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly count: number;
  readonly byteLength: number;
}

/** DLT values as libpcap reports them (12/14 are raw IP on some systems too). */
export const LinkType = { NULL: 0, EN10MB: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;

/** A batch whose fields the capture overwrites for every delivery (one object per capture). */
export class MutableBatch implements PacketBatch {
  readonly view: DataView;
  count = 0;
  byteLength = 0;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

/** Offset of the record after the one at `off`. */
export function nextRecord(view: DataView, off: number): number {
  return off + RECORD_HEADER + ((view.getUint32(off + 8, true) + 3) & ~3);
}

/** Builds a batch from packets (for tests and tools; not a hot path). */
export function makeBatch(
  packets: ReadonlyArray<{ data: Uint8Array; tsSec?: number; tsNsec?: number; wirelen?: number }>,
): PacketBatch {
  let size = 0;
  for (const p of packets) size += RECORD_HEADER + ((p.data.length + 3) & ~3);
  const buf = new Uint8Array(size);
  const b = new MutableBatch(buf);
  let off = 0;
  for (const p of packets) {
    b.view.setUint32(off, p.tsSec ?? 0, true);
    b.view.setUint32(off + 4, p.tsNsec ?? 0, true);
    b.view.setUint32(off + 8, p.data.length, true);
    b.view.setUint32(off + 12, p.wirelen ?? p.data.length, true);
    buf.set(p.data, off + RECORD_HEADER);
    off += RECORD_HEADER + ((p.data.length + 3) & ~3);
  }
  b.count = packets.length;
  b.byteLength = off;
  return b;
}

/** Minimum batch buffer for a snaplen: room for several maximal records. */
export function batchBufferSize(snaplen: number, min: number): number {
  return Math.max(min, 4 * (RECORD_HEADER + ((snaplen + 3) & ~3)));
}
