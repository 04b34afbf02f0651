/**
 * Column kinds: the ClickHouse type of a column, the TypeScript type a producer gives it, and how
 * it is encoded in RowBinary. Every table is declared once from these (see table.ts), and DDL,
 * insert column order, row types and the columnar builders are derived from that declaration.
 */

/** DateTime64(9) values are nanoseconds since the Unix epoch, as a bigint. */
export type Nanos = bigint;
/** An IP address: dotted/colon text, 16 bytes (IPv6 or v4-mapped), or an IPv4 as a u32 number. */
export type IpValue = string | Uint8Array | number;

export interface KindMap {
  UInt8: number;
  UInt16: number;
  UInt32: number;
  UInt64: number;
  Int64: number;
  Float64: number;
  String: string;
  LowCardinality: string;
  IPv6: IpValue;
  IPv4: number;
  DateTime64: Nanos;
  /** Seconds since the epoch (rollup buckets). */
  DateTime: number;
  Enum8: string;
}
export type Kind = keyof KindMap;

/** Where a column sits in the table's ORDER BY (position), or not at all. */
export interface ColumnDef<N extends string = string, K extends Kind = Kind> {
  readonly name: N;
  readonly kind: K;
  /** ClickHouse type text, derived from kind (and enum values, and `sum`). */
  readonly chType: string;
  /**
   * The type a Native block carries the column as: chType, except LowCardinality (sent as String)
   * and summed columns (sent as their plain type); the server converts on insert (decision 0403).
   */
  readonly wireType: string;
  readonly codec?: string;
  /** 1-based position in ORDER BY, or undefined. */
  readonly orderBy?: number;
  /** Enum8 values in order (value i+1). */
  readonly values?: readonly string[];
  readonly doc: string;
}

const CH_TYPE: Record<Exclude<Kind, 'Enum8'>, string> = {
  UInt8: 'UInt8',
  UInt16: 'UInt16',
  UInt32: 'UInt32',
  UInt64: 'UInt64',
  Int64: 'Int64',
  Float64: 'Float64',
  String: 'String',
  LowCardinality: 'LowCardinality(String)',
  IPv6: 'IPv6',
  IPv4: 'IPv4',
  DateTime64: "DateTime64(9, 'UTC')",
  DateTime: "DateTime('UTC')",
};

export interface ColumnOpts {
  codec?: string;
  orderBy?: number;
  /**
   * Summed when an AggregatingMergeTree merges rows of the same key:
   * `SimpleAggregateFunction(sum, <type>)` (decision 0405).
   */
  sum?: boolean;
}

export function col<const N extends string, const K extends Exclude<Kind, 'Enum8'>>(
  name: N,
  kind: K,
  doc: string,
  opts: ColumnOpts = {},
): ColumnDef<N, K> {
  const { sum, ...rest } = opts;
  const plain = CH_TYPE[kind];
  const chType = sum ? `SimpleAggregateFunction(sum, ${plain})` : plain;
  return { name, kind, chType, wireType: kind === 'LowCardinality' ? 'String' : plain, doc, ...rest };
}

export function enumCol<const N extends string, const V extends string>(
  name: N,
  values: readonly V[],
  doc: string,
  opts: ColumnOpts = {},
): ColumnDef<N, 'Enum8'> & { readonly values: readonly V[] } {
  const chType = `Enum8(${values.map((v, i) => `'${v}' = ${i + 1}`).join(', ')})`;
  return { name, kind: 'Enum8', chType, wireType: chType, values, doc, ...opts };
}

/** snake_case → CamelCase at the type level: src_ip → SrcIp. */
export type Camel<S extends string> = S extends `${infer A}_${infer B}` ? `${Capitalize<A>}${Camel<B>}` : Capitalize<S>;

export function camel(s: string): string {
  return s
    .split('_')
    .map((p) => (p.length ? p[0]!.toUpperCase() + p.slice(1) : p))
    .join('');
}
