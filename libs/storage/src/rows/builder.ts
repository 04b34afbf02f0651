/**
 * A columnar row builder per table (akvorado's FlowMessage idea), made from the table declaration:
 * typed setters `setSrcIp(...)` write straight into preallocated column arrays at the current row,
 * `finalize()` commits the row, `encode()` writes the committed rows as RowBinary in declaration
 * (= insert) order, `clear()` empties it for reuse. Capacity is fixed: memory never grows.
 */
import { camel, type Camel, type ColumnDef } from '../schema/column.js';
import { type RowOf, type TableDef, type ValueOf } from '../schema/table.js';
import { writeIp } from './ip.js';

type SetterName<N extends string> = `set${Camel<N>}`;
export type Setters<T extends TableDef> = {
  [D in T['columns'][number] as SetterName<D['name']>]: (v: ValueOf<D>) => void;
};

export type RowBuilder<T extends TableDef> = RowBuilderBase<T> & Setters<T>;

type Store = Float64Array | BigInt64Array | string[] | Uint8Array;

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
  private readonly enumCodes: (Map<string, number> | undefined)[];
  private scratch: Buffer = Buffer.allocUnsafe(1 << 16);
  /** Estimated RowBinary bytes of a row: fixed sizes plus 16 a string. */
  private readonly rowBytesHint: number;

  constructor(
    readonly table: T,
    readonly capacity: number,
  ) {
    const cap = capacity + 1; // +1: the row being filled when full is never written
    this.kinds = table.columns.map((c) => c.kind);
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
    const FIXED: Partial<Record<ColumnDef['kind'], number>> = {
      UInt8: 1,
      Enum8: 1,
      UInt16: 2,
      UInt32: 4,
      IPv4: 4,
      DateTime: 4,
      IPv6: 16,
    };
    this.rowBytesHint = this.kinds.reduce(
      (a, k) => a + (FIXED[k] ?? (k === 'String' || k === 'LowCardinality' ? 16 : 8)),
      0,
    );
    this.resetRow(0);
    const self = this as unknown as Record<string, (v: unknown) => void>;
    table.columns.forEach((c, i) => {
      self[`set${camel(c.name)}`] = this.setterFor(i);
    });
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
    this.resetRow(this.count);
    if (this.count >= this.capacity) this.onFull?.();
  }

  /** Empties the builder (after its rows are confirmed written or handed on). */
  clear(): void {
    this.count = 0;
    this.resetRow(0);
  }

  private resetRow(r: number): void {
    for (let i = 0; i < this.stores.length; i++) {
      const s = this.stores[i]!;
      const k = this.kinds[i];
      if (k === 'IPv6') (s as Uint8Array).fill(0, r * 16, r * 16 + 16);
      else if (k === 'DateTime64') (s as BigInt64Array)[r] = 0n;
      else if (k === 'String' || k === 'LowCardinality') (s as string[])[r] = '';
      else (s as Float64Array)[r] = k === 'Enum8' ? 1 : 0;
    }
  }

  /** The committed rows as RowBinary, in a new Buffer of exactly their size. */
  encode(): Buffer {
    if (this.scratch.length < this.count * this.rowBytesHint)
      this.scratch = Buffer.allocUnsafe(this.count * this.rowBytesHint);
    let buf = this.scratch;
    let dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    const n = this.count;
    const stores = this.stores;
    const kinds = this.kinds;
    for (let r = 0; r < n; r++) {
      // Worst case of a row without strings is 16 bytes a column; strings are checked one by one.
      if (o + kinds.length * 16 > buf.length) {
        buf = this.grow(buf, o, kinds.length * 16);
        dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      for (let i = 0; i < kinds.length; i++) {
        const s = stores[i]!;
        switch (kinds[i]) {
          case 'UInt8':
          case 'Enum8':
            buf[o++] = (s as Float64Array)[r]! & 0xff;
            break;
          case 'UInt16':
            dv.setUint16(o, (s as Float64Array)[r]! & 0xffff, true);
            o += 2;
            break;
          case 'UInt32':
          case 'IPv4':
          case 'DateTime':
            dv.setUint32(o, (s as Float64Array)[r]! >>> 0, true);
            o += 4;
            break;
          case 'UInt64':
          case 'Int64': {
            const v = (s as Float64Array)[r]!;
            if (v >= 0) {
              dv.setUint32(o, v >>> 0, true);
              dv.setUint32(o + 4, Math.floor(v / TWO32) >>> 0, true);
            } else dv.setBigInt64(o, BigInt(Math.trunc(v)), true);
            o += 8;
            break;
          }
          case 'Float64':
            dv.setFloat64(o, (s as Float64Array)[r]!, true);
            o += 8;
            break;
          case 'DateTime64':
            dv.setBigInt64(o, (s as BigInt64Array)[r]!, true);
            o += 8;
            break;
          case 'IPv6':
            buf.set((s as Uint8Array).subarray(r * 16, r * 16 + 16), o);
            o += 16;
            break;
          case 'String':
          case 'LowCardinality': {
            const str = (s as string[])[r]!;
            const max = str.length * 3 + 5;
            if (o + max + kinds.length * 16 > buf.length) {
              buf = this.grow(buf, o, max + kinds.length * 16);
              dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
            }
            // Length as LEB128 varint, then UTF-8 bytes. Short ASCII strings (interface names,
            // reasons) are copied char by char: cheaper than a Buffer.write call.
            const sl = str.length;
            let ascii = sl < 128;
            if (ascii) {
              for (let k = 0; k < sl; k++) {
                const ch = str.charCodeAt(k);
                if (ch >= 0x80) {
                  ascii = false;
                  break;
                }
                buf[o + 1 + k] = ch;
              }
            }
            if (ascii) {
              buf[o] = sl;
              o += 1 + sl;
            } else {
              let len = Buffer.byteLength(str, 'utf8');
              while (len >= 0x80) {
                buf[o++] = (len & 0x7f) | 0x80;
                len >>>= 7;
              }
              buf[o++] = len;
              o += buf.write(str, o, 'utf8');
            }
            break;
          }
        }
      }
    }
    this.scratch = buf;
    return Buffer.from(buf.subarray(0, o));
  }

  private grow(buf: Buffer, used: number, need: number): Buffer {
    const next = Buffer.allocUnsafe(Math.max(buf.length * 2, used + need));
    buf.copy(next, 0, 0, used);
    return next;
  }
}

/** Makes the builder of a table, with its `setX` methods. */
export function createRowBuilder<T extends TableDef>(table: T, capacity: number): RowBuilder<T> {
  return new RowBuilderBase(table, capacity) as RowBuilder<T>;
}
