/**
 * OVSDB values (RFC 7047 §5.1) decoded with the column types of the schema: a map column becomes a
 * `Map`, a set column (max > 1) an array, an optional scalar (min 0, max 1) the atom or undefined,
 * and a uuid the uuid string. Integers stay bigint. `applyDiff` applies an `update2` `modify` diff.
 */
import { type JsonValue } from '../rpc/json.js';

export type Atom = string | bigint | number | boolean;
export type OvsdbValue = Atom | Atom[] | Map<string, Atom> | undefined;
export type OvsdbRow = Record<string, OvsdbValue>;

export interface ColumnType {
  map: boolean;
  /** Maximum number of elements (Infinity for "unlimited"). */
  max: number;
  min: number;
}

export type TableTypes = Map<string, Map<string, ColumnType>>;

function isObj(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function toNum(v: JsonValue | undefined, dflt: number): number {
  if (v === 'unlimited') return Infinity;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  return dflt;
}

/** Column types of every table from a `get_schema` reply. */
export function schemaTypes(schema: JsonValue): TableTypes {
  const out: TableTypes = new Map();
  if (!isObj(schema) || !isObj(schema.tables)) throw new Error('OVSDB schema: no "tables"');
  for (const [t, def] of Object.entries(schema.tables)) {
    const cols = new Map<string, ColumnType>();
    if (isObj(def) && isObj(def.columns)) {
      for (const [c, cdef] of Object.entries(def.columns)) {
        const ty = isObj(cdef) ? cdef.type : undefined;
        if (isObj(ty)) cols.set(c, { map: ty.value !== undefined, max: toNum(ty.max, 1), min: toNum(ty.min, 1) });
        else cols.set(c, { map: false, max: 1, min: 1 });
      }
    }
    out.set(t, cols);
  }
  return out;
}

export function decodeAtom(v: JsonValue): Atom {
  if (Array.isArray(v) && v.length === 2 && (v[0] === 'uuid' || v[0] === 'named-uuid') && typeof v[1] === 'string')
    return v[1];
  if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new Error(`OVSDB: not an atom: ${typeof v}`);
}

function elements(v: JsonValue): JsonValue[] {
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) return v[1];
  return [v];
}

function mapPairs(v: JsonValue): Array<[string, Atom]> {
  if (!Array.isArray(v) || v[0] !== 'map' || !Array.isArray(v[1])) throw new Error('OVSDB: expected a map');
  const out: Array<[string, Atom]> = [];
  for (const pair of v[1]) {
    if (Array.isArray(pair) && pair.length === 2) out.push([String(decodeAtom(pair[0]!)), decodeAtom(pair[1]!)]);
  }
  return out;
}

export function decodeValue(v: JsonValue, type: ColumnType | undefined): OvsdbValue {
  if (type?.map) return new Map(mapPairs(v));
  const els = elements(v).map(decodeAtom);
  if (type && type.max > 1) return els;
  if (!type && els.length !== 1) return els;
  return els[0];
}

export function decodeRow(row: JsonValue, cols: Map<string, ColumnType> | undefined): OvsdbRow {
  const out: OvsdbRow = {};
  if (!isObj(row)) return out;
  for (const [c, v] of Object.entries(row)) out[c] = decodeValue(v, cols?.get(c));
  return out;
}

/** Applies an `update2` diff of one column to its old value (ovsdb_datum_apply_diff). */
export function applyDiff(old: OvsdbValue, diff: JsonValue, type: ColumnType | undefined): OvsdbValue {
  if (!type || (type.max === 1 && !type.map)) return decodeValue(diff, type);
  if (type.map) {
    const m = new Map(old instanceof Map ? old : []);
    for (const [k, v] of mapPairs(diff)) {
      if (!m.has(k)) m.set(k, v);
      else if (m.get(k) === v) m.delete(k);
      else m.set(k, v);
    }
    return m;
  }
  const set = Array.isArray(old) ? [...old] : old === undefined || old instanceof Map ? [] : [old];
  for (const a of elements(diff).map(decodeAtom)) {
    const i = set.indexOf(a);
    if (i >= 0) set.splice(i, 1);
    else set.push(a);
  }
  return set;
}

/** Accessors that read a decoded row whatever shape a column came in. */
export function asString(v: OvsdbValue): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

export function asBigint(v: OvsdbValue): bigint | undefined {
  return typeof v === 'bigint' ? v : Array.isArray(v) && typeof v[0] === 'bigint' ? v[0] : undefined;
}

export function asArray(v: OvsdbValue): Atom[] {
  return Array.isArray(v) ? v : v === undefined || v instanceof Map ? [] : [v];
}

export function asMap(v: OvsdbValue): Map<string, Atom> {
  return v instanceof Map ? v : new Map<string, Atom>();
}
