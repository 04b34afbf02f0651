/**
 * The flow rollups (flows_1m, flows_1h), computed by the writer from the `flows` batches it sends:
 * rows are grouped by (bucket, iface, proto, src_ip, dst_ip, vlan, collector) and their deltas
 * summed, with typed arrays and an open-addressing table over integer keys — no string or object
 * per row. The minute groups gather over the batches of a flush interval (addFlows, decision 0413);
 * the hour groups are made from them (fromRollup). The rollup batches go through the same writer
 * slot and spool as the flows batches, with tokens made from theirs, so the rollups agree with the
 * raw rows, also after an outage. This replaces materialized views, whose GROUP BY over two IPv6
 * and two LowCardinality keys cost 2–5× the insert of the raw rows (decision 0403).
 */
import { type flows, type flows1m } from '../schema/index.js';
import { type RowBuilder, type Store } from './builder.js';

/** flows_1m and flows_1h have the same columns. */
type RollupBuilder = RowBuilder<typeof flows1m>;

/** The key columns, named alike in flows and in the rollups. */
interface KeyColumns {
  column(name: 'iface' | 'collector' | 'proto' | 'vlan' | 'src_ip' | 'dst_ip'): Store;
}

/** A batch's key columns, looked up once per batch. */
interface Keys {
  iface: string[];
  collector: string[];
  proto: Float64Array;
  vlan: Float64Array;
  srcIp: Uint8Array;
  dstIp: Uint8Array;
  /** The addresses as 32-bit words (four a row), for hashing and comparing. */
  sw: Uint32Array;
  dw: Uint32Array;
}

function keysOf(src: KeyColumns, n: number): Keys {
  const srcIp = src.column('src_ip') as Uint8Array;
  const dstIp = src.column('dst_ip') as Uint8Array;
  return {
    iface: src.column('iface') as string[],
    collector: src.column('collector') as string[],
    proto: src.column('proto') as Float64Array,
    vlan: src.column('vlan') as Float64Array,
    srcIp,
    dstIp,
    sw: new Uint32Array(srcIp.buffer, srcIp.byteOffset, n * 4),
    dw: new Uint32Array(dstIp.buffer, dstIp.byteOffset, n * 4),
  };
}

/** Starts a row of `out` with bucket `ts` and the key of row `r` of `k` (sums set by the caller). */
function setKey(out: RollupBuilder, ts: number, k: Keys, r: number): void {
  out.setTs(ts);
  out.setIface(k.iface[r]!);
  out.setProto(k.proto[r]!);
  out.copyIp('src_ip', k.srcIp, r);
  out.copyIp('dst_ip', k.dstIp, r);
  out.setVlan(k.vlan[r]!);
  out.setCollector(k.collector[r]!);
}

/** 32-bit words per group key: bucket (s), iface id, collector id, proto << 16 | vlan, 8 address words. */
const K = 12;
const EMPTY = -1;

export class RollupAggregator {
  private keys = new Uint32Array(0);
  private packets = new Float64Array(0);
  private bytes = new Float64Array(0);
  private ended = new Float64Array(0);
  /** First row of each group in the source (where its strings and addresses are read from). */
  private firstRow = new Int32Array(0);
  private slots = new Int32Array(0);
  /** Per source row of fromRollup(): its bucket (scratch, reused). */
  private rowBucket = new Float64Array(0);
  private readonly names = new Map<string, number>();
  private lastName = '';
  private lastId = -1;
  groups = 0;

  /**
   * Adds the committed rows of a flows builder to the groups gathered in `out` since the last
   * clearGroups(), by buckets of `bucketS` seconds: a new group is a new row of `out` (its key
   * copied from the flows row), a known one adds to that row's sums. `out` is this aggregator's
   * alone between clearGroups() calls and must have room for `src.count` more rows.
   */
  addFlows(src: RowBuilder<typeof flows>, out: RollupBuilder, bucketS: number): void {
    const n = src.count;
    this.ensure(out.capacity);
    if (out.count !== this.groups) throw new Error(`rollup builder holds ${out.count} rows, ${this.groups} groups`);
    if (out.count + n > out.capacity)
      throw new Error(`rollup builder of ${out.capacity} rows has no room for ${n} more groups`);
    const ts = src.column('ts') as BigInt64Array;
    const tsWords = new Int32Array(ts.buffer, ts.byteOffset, n * 2);
    const pf = src.column('packets_delta_fwd') as Float64Array;
    const pr = src.column('packets_delta_rev') as Float64Array;
    const bf = src.column('bytes_delta_fwd') as Float64Array;
    const br = src.column('bytes_delta_rev') as Float64Array;
    const type = src.column('record_type') as Float64Array;
    const k = keysOf(src, n);
    const packets = out.column('packets') as Float64Array;
    const bytes = out.column('bytes') as Float64Array;
    const ended = out.column('flows') as Float64Array;
    for (let r = 0; r < n; r++) {
      // Nanoseconds from the two 32-bit halves (no bigint per row); exact to well under a bucket.
      const sec = (tsWords[r * 2 + 1]! * 4294967296 + (tsWords[r * 2]! >>> 0)) / 1e9;
      const bucket = Math.floor(sec / bucketS) * bucketS;
      const known = this.groups;
      const g = this.group(r, bucket, k);
      if (g === known) {
        setKey(out, bucket, k, r);
        out.finalize();
      }
      packets[g]! += pf[r]! + pr[r]!;
      bytes[g]! += bf[r]! + br[r]!;
      if (type[r] === 2) ended[g]!++; // Enum8 'final' = 2
    }
  }

  /** Forgets the groups of addFlows() (their rows were handed on and `out` cleared). */
  clearGroups(): void {
    this.slots.fill(EMPTY);
    this.groups = 0;
    this.names.clear();
    this.lastName = '';
    this.lastId = -1;
  }

  /** Re-groups rollup rows into coarser buckets (1m → 1h). */
  fromRollup(src: RollupBuilder, out: RollupBuilder, bucketS: number): number {
    const n = src.count;
    this.reset(n);
    const ts = src.column('ts') as Float64Array;
    for (let r = 0; r < n; r++) this.rowBucket[r] = Math.floor(ts[r]! / bucketS) * bucketS;
    const sum = (c: 'packets' | 'bytes' | 'flows'): Float64Array => src.column(c) as Float64Array;
    return this.aggregate(src, out, n, sum('packets'), sum('bytes'), sum('flows'));
  }

  /** Groups rows 0..n-1 of `src` by (rowBucket, key columns), summing the three per-row values, into `out`. */
  private aggregate(
    src: KeyColumns,
    out: RollupBuilder,
    n: number,
    packets: Float64Array,
    bytes: Float64Array,
    ended: Float64Array,
  ): number {
    const k = keysOf(src, n);
    for (let r = 0; r < n; r++) {
      const g = this.group(r, this.rowBucket[r]!, k);
      this.packets[g]! += packets[r]!;
      this.bytes[g]! += bytes[r]!;
      this.ended[g]! += ended[r]!;
    }
    out.clear();
    for (let g = 0; g < this.groups; g++) {
      setKey(out, this.keys[g * K]!, k, this.firstRow[g]!);
      out.setPackets(this.packets[g]!);
      out.setBytes(this.bytes[g]!);
      out.setFlows(this.ended[g]!);
      out.finalize();
    }
    return this.groups;
  }

  /** Makes room for `n` groups in the hash table (once: the arrays are kept). */
  private ensure(n: number): void {
    if (this.firstRow.length >= n) return;
    const cap = Math.max(n, 1024);
    this.keys = new Uint32Array(cap * K);
    this.firstRow = new Int32Array(cap);
    let size = 2048;
    while (size < cap * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.groups = 0;
  }

  /** Empties the table for a batch of `n` rows (fromRollup), with its own sums and buckets. */
  private reset(n: number): void {
    this.ensure(n);
    if (this.packets.length < this.firstRow.length) {
      const cap = this.firstRow.length;
      this.packets = new Float64Array(cap);
      this.bytes = new Float64Array(cap);
      this.ended = new Float64Array(cap);
      this.rowBucket = new Float64Array(cap);
    }
    this.packets.fill(0, 0, n);
    this.bytes.fill(0, 0, n);
    this.ended.fill(0, 0, n);
    this.clearGroups();
  }

  /** A small id for a string of this batch (an interface or collector name). */
  private nameId(s: string): number {
    if (s === this.lastName && this.lastId >= 0) return this.lastId;
    let id = this.names.get(s);
    if (id === undefined) {
      id = this.names.size;
      this.names.set(s, id);
    }
    this.lastName = s;
    this.lastId = id;
    return id;
  }

  /** The group of row `r`'s key (created, with `r` as its first row, when new). */
  private group(r: number, bucket: number, k: Keys): number {
    const k1 = this.nameId(k.iface[r]!);
    const k2 = this.nameId(k.collector[r]!);
    const k3 = ((k.proto[r]! & 0xff) << 16) | (k.vlan[r]! & 0xffff);
    const sw = k.sw;
    const dw = k.dw;
    const a = r * 4;
    const s0 = sw[a]!,
      s1 = sw[a + 1]!,
      s2 = sw[a + 2]!,
      s3 = sw[a + 3]!;
    const d0 = dw[a]!,
      d1 = dw[a + 1]!,
      d2 = dw[a + 2]!,
      d3 = dw[a + 3]!;
    let h = Math.imul(0x811c9dc5 ^ bucket, 0x01000193);
    h = Math.imul(h ^ k1, 0x01000193);
    h = Math.imul(h ^ k2, 0x01000193);
    h = Math.imul(h ^ k3, 0x01000193);
    h = Math.imul(h ^ s0, 0x01000193);
    h = Math.imul(h ^ s1, 0x01000193);
    h = Math.imul(h ^ s2, 0x01000193);
    h = Math.imul(h ^ s3, 0x01000193);
    h = Math.imul(h ^ d0, 0x01000193);
    h = Math.imul(h ^ d1, 0x01000193);
    h = Math.imul(h ^ d2, 0x01000193);
    h = Math.imul(h ^ d3, 0x01000193);
    h ^= h >>> 15;
    const keys = this.keys;
    const slots = this.slots;
    const mask = slots.length - 1;
    const b32 = bucket >>> 0;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const g = slots[s]!;
      if (g === EMPTY) {
        const ng = this.groups++;
        slots[s] = ng;
        const o = ng * K;
        keys[o] = b32;
        keys[o + 1] = k1;
        keys[o + 2] = k2;
        keys[o + 3] = k3;
        keys[o + 4] = s0;
        keys[o + 5] = s1;
        keys[o + 6] = s2;
        keys[o + 7] = s3;
        keys[o + 8] = d0;
        keys[o + 9] = d1;
        keys[o + 10] = d2;
        keys[o + 11] = d3;
        this.firstRow[ng] = r;
        return ng;
      }
      const o = g * K;
      if (
        keys[o] === b32 &&
        keys[o + 4] === s0 &&
        keys[o + 8] === d0 &&
        keys[o + 1] === k1 &&
        keys[o + 3] === k3 &&
        keys[o + 2] === k2 &&
        keys[o + 5] === s1 &&
        keys[o + 6] === s2 &&
        keys[o + 7] === s3 &&
        keys[o + 9] === d1 &&
        keys[o + 10] === d2 &&
        keys[o + 11] === d3
      )
        return g;
    }
  }
}
