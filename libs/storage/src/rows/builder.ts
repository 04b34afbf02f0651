/**
 * A columnar row builder per table (akvorado's FlowMessage idea), made from the table declaration:
 * typed setters `setSrcIp(...)` write straight into preallocated column arrays at the current row,
 * `finalize()` commits the row, `encode()` writes the committed rows as one Native block (columnar,
 * so each column is one copy or one tight loop), `clear()` empties it for reuse. Capacity is fixed: memory never grows.
 */
import { camel, type Camel, type ColumnDef } from '../schema/column.js';
import { orderByColumns, type RowOf, type TableDef, type ValueOf } from '../schema/table.js';
import { writeIp } from './ip.js';
import { KeyOrder } from './key-order.js';

type SetterName<N extends string> = `set${Camel<N>}`;
export type Setters<T extends TableDef> = {
  [D in T['columns'][number] as SetterName<D['name']>]: (v: ValueOf<D>) => void;
};

export type RowBuilder<T extends TableDef> = RowBuilderBase<T> & Setters<T>;

export type Store = Float64Array | BigInt64Array | string[] | Uint8Array;

const TWO32 = 4294967296;

export class RowBuilderBase<T extends TableDef> {
  /** Rows committed by finalize(). */
  count = 0;
  /** Values a setter could not store (bad IP text, unknown enum value): stored as zero, counted. */
  badValues = 0;
  /** Called by finalize() when the builder becomes full. */
  onFull: (() => void) | undefined;
  private readonly stores: Store[];
  private readonly kinds: ColumnDef['kind'][];
  private readonly index: Map<string, number>;
  private readonly enumCodes: (Map<string, number> | undefined)[];
  /**
   * Encoded batches given back by release(), reused by encode(): a fresh 20 MB buffer costs its
   * page faults every time (a copy of one was 80 % of encode()). At most two are kept.
   */
  private readonly free: Buffer[] = [];
  /** Integer views of Float64 columns for encode() (one per width, reused). */
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  /** Rows in sort-key order for encode(), when the table's key has the shape KeyOrder handles. */
  private readonly keyOrder: KeyOrder | undefined;
  /** Scratch space of encode() (32-bit words, up to four a row): gathers and 64-bit integers. */
  private scratchWords: Uint32Array | undefined;

  constructor(
    readonly table: T,
    readonly capacity: number,
  ) {
    const cap = capacity + 1; // +1: the row being filled when full is never written
    this.u8 = new Uint8Array(cap);
    this.u16 = new Uint16Array(cap);
    this.u32 = new Uint32Array(cap);
    this.kinds = table.columns.map((c) => c.kind);
    this.index = new Map(table.columns.map((c, i) => [c.name, i]));
    this.enumCodes = table.columns.map((c) => (c.values ? new Map(c.values.map((v, i) => [v, i + 1])) : undefined));
    this.stores = table.columns.map((c) => {
      switch (c.kind) {
        case 'DateTime64':
          return new BigInt64Array(cap);
        case 'String':
        case 'LowCardinality':
          return new Array<string>(cap).fill('');
        case 'IPv6':
          return new Uint8Array(cap * 16);
        default:
          return new Float64Array(cap);
      }
    });
    this.resetRows(cap);
    const key = orderByColumns(table).map((name) => this.index.get(name)!);
    this.keyOrder = KeyOrder.fits(key.map((i) => this.kinds[i]!))
      ? new KeyOrder(
          key.map((i) => ({ store: this.stores[i]!, kind: this.kinds[i]! })),
          cap,
        )
      : undefined;
    const self = this as unknown as Record<string, (v: unknown) => void>;
    table.columns.forEach((c, i) => {
      self[`set${camel(c.name)}`] = this.setterFor(i);
    });
  }

  /**
   * The store of a column, for batches derived from this one (rollups): Float64Array for numbers and
   * enum codes, BigInt64Array for DateTime64, string[] for strings, Uint8Array (16 bytes a row) for IPv6.
   */
  column(name: T['columns'][number]['name']): Store {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`${this.table.name} has no column ${name}`);
    return this.stores[i]!;
  }

  /** Copies a 16-byte address (row `r` of another builder's IPv6 store) into an IPv6 column of the row being filled. */
  copyIp(name: T['columns'][number]['name'], from: Uint8Array, r: number): void {
    const to = this.column(name);
    if (!(to instanceof Uint8Array)) throw new Error(`${this.table.name}.${name} is not an IPv6 column`);
    const o = this.count * 16;
    const f = r * 16;
    for (let i = 0; i < 16; i++) to[o + i] = from[f + i]!;
  }

  /**
   * A setter of a DateTime64 column from seconds and nanoseconds as numbers (what a capture gives),
   * without a bigint per value. Make it once per batch, not per row.
   */
  timeSetter(name: T['columns'][number]['name']): (sec: number, nsec: number) => void {
    const store = this.column(name);
    if (!(store instanceof BigInt64Array)) throw new Error(`${this.table.name}.${name} is not a DateTime64 column`);
    const words = new Uint32Array(store.buffer, store.byteOffset, store.length * 2);
    return (sec, nsec) => {
      // sec · 10⁹ + nsec = qh · 2³² + low, with sec = sh · 2¹⁶ + sl and q = sh · 10⁹ = qh · 2¹⁶ + ql;
      // every step exact in float64 (sec < 2³², nsec < 10⁹: each term < 2⁴⁷), no `%` (a float
      // modulo is a libc call: three of them made this 3× slower). The Uint32Array store takes
      // `low` modulo 2³².
      const sh = Math.floor(sec / 65536);
      const q = sh * 1e9;
      const qh = Math.floor(q / 65536);
      const low = (q - qh * 65536) * 65536 + (sec - sh * 65536) * 1e9 + nsec;
      const r = this.count * 2;
      words[r] = low;
      words[r + 1] = qh + Math.floor(low / TWO32);
    };
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  private setterFor(i: number): (v: unknown) => void {
    const store = this.stores[i]!;
    switch (this.kinds[i]) {
      case 'DateTime64': {
        const s = store as BigInt64Array;
        return (v) => {
          s[this.count] = v as bigint;
        };
      }
      case 'String':
      case 'LowCardinality': {
        const s = store as string[];
        return (v) => {
          s[this.count] = v as string;
        };
      }
      case 'IPv6': {
        const s = store as Uint8Array;
        return (v) => {
          if (!writeIp(v as string | Uint8Array | number, s, this.count * 16)) this.badValues++;
        };
      }
      case 'Enum8': {
        const s = store as Float64Array;
        const codes = this.enumCodes[i]!;
        return (v) => {
          const code = codes.get(v as string);
          if (code === undefined) this.badValues++;
          s[this.count] = code ?? 1;
        };
      }
      default: {
        const s = store as Float64Array;
        return (v) => {
          s[this.count] = v as number;
        };
      }
    }
  }

  /** Sets every column from a row object (columns left out stay zero / ''), then finalizes. */
  append(row: Partial<RowOf<T>>): void {
    const self = this as unknown as Record<string, (v: unknown) => void>;
    const r = row as Record<string, unknown>;
    for (const c of this.table.columns) {
      const v = r[c.name];
      if (v !== undefined) self[`set${camel(c.name)}`]!(v);
    }
    this.finalize();
  }

  /** Commits the row being filled. */
  finalize(): void {
    if (this.count >= this.capacity) {
      this.onFull?.();
      if (this.count >= this.capacity)
        throw new Error(`row builder of ${this.table.name} is full (${this.capacity} rows)`);
    }
    this.count++;
    if (this.count >= this.capacity) this.onFull?.();
  }

  /** Empties the builder (after its rows are confirmed written or handed on). */
  clear(): void {
    this.resetRows(this.count + 1); // + the row being filled
    this.count = 0;
  }

  /**
   * Rows are zeroed in bulk when the builder is cleared, not one by one when committed: every row
   * after `count` is still as clear() left it, so a row starts from zero (enums: their first value).
   */
  private resetRows(n: number): void {
    for (let i = 0; i < this.stores.length; i++) {
      const s = this.stores[i]!;
      const k = this.kinds[i];
      if (k === 'IPv6') (s as Uint8Array).fill(0, 0, n * 16);
      else if (k === 'DateTime64') (s as BigInt64Array).fill(0n, 0, n);
      else if (k === 'String' || k === 'LowCardinality') (s as string[]).fill('', 0, n);
      else (s as Float64Array).fill(k === 'Enum8' ? 1 : 0, 0, n);
    }
  }

  /**
   * The committed rows as one ClickHouse Native block (columnar: per column its name, type and
   * values). The Buffer is the caller's until it calls release(). Each column goes as its `wireType`
   * (LowCardinality as String, summed columns as their plain type: the server converts on insert);
   * see decision 0403. Rows go in the order of the table's sort key when KeyOrder handles its key
   * (decision 0409); the stores keep the order the rows came in.
   */
  encode(): Buffer {
    const n = this.count;
    const perm = this.keyOrder?.order(n) ?? null;
    const stores = this.stores;
    const kinds = this.kinds;
    const cols = this.table.columns;
    let size = 20;
    for (let i = 0; i < kinds.length; i++) {
      const c = cols[i]!;
      size += 10 + c.name.length * 3 + c.wireType.length + nativeWidth(kinds[i]!) * n;
      if (kinds[i] === 'String' || kinds[i] === 'LowCardinality') {
        const s = stores[i] as string[];
        for (let r = 0; r < n; r++) size += 5 + s[r]!.length * 3;
      }
    }
    let buf = this.free.pop();
    if (!buf || buf.length < size) buf = Buffer.allocUnsafeSlow(Math.ceil(size * 1.25));
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = writeVarUint(buf, 0, kinds.length);
    o = writeVarUint(buf, o, n);
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i]!;
      const c = cols[i]!;
      o = writeString(buf, o, c.name);
      o = writeString(buf, o, c.wireType);
      const s = stores[i]!;
      switch (k) {
        case 'UInt8':
        case 'Enum8':
          o = this.copyAs(this.u8, s as Float64Array, n, buf, o, perm);
          break;
        case 'UInt16':
          o = this.copyAs(this.u16, s as Float64Array, n, buf, o, perm);
          break;
        case 'UInt32':
        case 'IPv4':
        case 'DateTime':
          o = this.copyAs(this.u32, s as Float64Array, n, buf, o, perm);
          break;
        case 'UInt64':
        case 'Int64': {
          const f = s as Float64Array;
          // Two 32-bit words a value through the scratch array, then one copy (the stores of a
          // Uint32Array take each word modulo 2³², truncated as a C cast would); a column with a
          // negative value is written again value by value.
          const w = this.scratch(n);
          let neg = false;
          for (let r = 0; r < n; r++) {
            const v = perm === null ? f[r]! : f[perm[r]!]!;
            if (v < 0) neg = true;
            w[r * 2] = v;
            w[r * 2 + 1] = v / TWO32;
          }
          if (!neg) {
            buf.set(new Uint8Array(w.buffer, 0, n * 8), o);
            o += n * 8;
          } else if (perm === null) for (let r = 0; r < n; r++) o = writeInt64(dv, o, f[r]!);
          else for (let r = 0; r < n; r++) o = writeInt64(dv, o, f[perm[r]!]!);
          break;
        }
        case 'Float64':
        case 'DateTime64':
        case 'IPv6': {
          const bytes = s as Float64Array | BigInt64Array | Uint8Array;
          const w = nativeWidth(k);
          if (perm === null) buf.set(new Uint8Array(bytes.buffer, bytes.byteOffset, n * w), o);
          else buf.set(this.gathered(bytes, w >>> 2, n, perm), o);
          o += n * w;
          break;
        }
        case 'String':
        case 'LowCardinality': {
          const strs = s as string[];
          if (perm === null) for (let r = 0; r < n; r++) o = writeString(buf, o, strs[r]!);
          else for (let r = 0; r < n; r++) o = writeString(buf, o, strs[perm[r]!]!);
          break;
        }
      }
    }
    return buf.subarray(0, o);
  }

  /**
   * Gives an encoded batch back once it is written or spooled, for the next encode() to reuse.
   * Optional: a batch never released is garbage collected.
   */
  release(encoded: Uint8Array): void {
    if (this.free.length < 2) this.free.push(Buffer.from(encoded.buffer));
  }

  /** The values of a fixed-width column (`words` 32-bit words each) in `perm` order, as bytes. */
  private gathered(
    src: Float64Array | BigInt64Array | Uint8Array,
    words: number,
    n: number,
    perm: Uint32Array,
  ): Uint8Array {
    const from = new Uint32Array(src.buffer, src.byteOffset, src.byteLength >>> 2);
    const to = this.scratch(n);
    if (words === 2)
      for (let r = 0; r < n; r++) {
        const f = perm[r]! * 2;
        to[r * 2] = from[f]!;
        to[r * 2 + 1] = from[f + 1]!;
      }
    else
      for (let r = 0; r < n; r++) {
        const f = perm[r]! * words;
        for (let k = 0; k < words; k++) to[r * words + k] = from[f + k]!;
      }
    return new Uint8Array(to.buffer, 0, n * words * 4);
  }

  /** Space of encode() for up to 16 bytes a row (n rows), made at its first use. */
  private scratch(n: number): Uint32Array {
    if (!this.scratchWords || this.scratchWords.length < n * 4)
      this.scratchWords = new Uint32Array((this.capacity + 1) * 4);
    return this.scratchWords;
  }

  /**
   * Converts a Float64 column to an integer width (modular, like a C cast: TypedArray.set, or element
   * stores through `perm`) and copies its bytes.
   */
  private copyAs(
    tmp: Uint8Array | Uint16Array | Uint32Array,
    src: Float64Array,
    n: number,
    buf: Buffer,
    o: number,
    perm: Uint32Array | null,
  ): number {
    if (perm === null) tmp.set(src.subarray(0, n));
    else for (let r = 0; r < n; r++) tmp[r] = src[perm[r]!]!;
    const len = n * tmp.BYTES_PER_ELEMENT;
    buf.set(new Uint8Array(tmp.buffer, 0, len), o);
    return o + len;
  }
}

/** Bytes per value of a fixed-width column in Native (0: variable). */
function nativeWidth(k: ColumnDef['kind']): number {
  switch (k) {
    case 'UInt8':
    case 'Enum8':
      return 1;
    case 'UInt16':
      return 2;
    case 'UInt32':
    case 'IPv4':
    case 'DateTime':
      return 4;
    case 'IPv6':
      return 16;
    case 'String':
    case 'LowCardinality':
      return 0;
    default:
      return 8;
  }
}

/** A number as a little-endian 64-bit integer at `o`; returns the offset after it. */
function writeInt64(dv: DataView, o: number, v: number): number {
  if (v >= 0) {
    dv.setUint32(o, v >>> 0, true);
    dv.setUint32(o + 4, Math.floor(v / TWO32) >>> 0, true);
  } else dv.setBigInt64(o, BigInt(Math.trunc(v)), true);
  return o + 8;
}

function writeVarUint(buf: Buffer, o: number, v: number): number {
  while (v >= 0x80) {
    buf[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[o++] = v;
  return o;
}

/**
 * A String value: LEB128 length, then UTF-8 bytes. Short ASCII strings (interface names, reasons)
 * are copied char by char: cheaper than a Buffer.write call.
 */
function writeString(buf: Buffer, o: number, str: string): number {
  const sl = str.length;
  if (sl < 128) {
    let k = 0;
    for (; k < sl; k++) {
      const ch = str.charCodeAt(k);
      if (ch >= 0x80) break;
      buf[o + 1 + k] = ch;
    }
    if (k === sl) {
      buf[o] = sl;
      return o + 1 + sl;
    }
  }
  o = writeVarUint(buf, o, Buffer.byteLength(str, 'utf8'));
  return o + buf.write(str, o, 'utf8');
}

/** Makes the builder of a table, with its `setX` methods. */
export function createRowBuilder<T extends TableDef>(table: T, capacity: number): RowBuilder<T> {
  return new RowBuilderBase(table, capacity) as RowBuilder<T>;
}
