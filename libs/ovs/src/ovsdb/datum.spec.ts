import { describe, expect, it } from 'vitest';
import { parseJson } from '../rpc/json.js';
import { applyDiff, decodeRow, schemaTypes } from './datum.js';

const schema = schemaTypes(
  parseJson(`{"name":"Open_vSwitch","tables":{"Interface":{"columns":{
    "name":{"type":"string"},
    "ofport":{"type":{"key":"integer","min":0,"max":1}},
    "statistics":{"type":{"key":"string","value":"integer","min":0,"max":"unlimited"}},
    "external_ids":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}}}},
   "Port":{"columns":{"interfaces":{"type":{"key":{"type":"uuid","refTable":"Interface"},"min":1,"max":"unlimited"}}}}}}`),
);
const iface = schema.get('Interface')!;
const port = schema.get('Port')!;

describe(decodeRow.name, () => {
  it('decodes maps, optional integers as bigint, and a one-element uuid set as an array', () => {
    const row = decodeRow(
      parseJson(
        '{"name":"vnet0","ofport":["set",[]],"statistics":["map",[["rx_packets",18446744073709551615]]],"external_ids":["map",[["vm-uuid","abc"]]]}',
      ),
      iface,
    );
    expect(row.name).toBe('vnet0');
    expect(row.ofport).toBeUndefined();
    expect((row.statistics as Map<string, bigint>).get('rx_packets')).toBe(18446744073709551615n);
    expect(decodeRow(parseJson('{"interfaces":["uuid","u1"]}'), port).interfaces).toEqual(['u1']);
    expect(decodeRow(parseJson('{"interfaces":["set",[["uuid","u1"],["uuid","u2"]]]}'), port).interfaces).toEqual([
      'u1',
      'u2',
    ]);
  });
});

describe(applyDiff.name, () => {
  it('applies an update2 map diff: new key inserted, same value deleted, other value updated', () => {
    const old = new Map<string, bigint | string>([
      ['a', 1n],
      ['b', 2n],
    ]);
    const next = applyDiff(old, parseJson('["map",[["a",1],["b",5],["c",7]]]'), iface.get('statistics'));
    expect([...(next as Map<string, bigint>)]).toEqual([
      ['b', 5n],
      ['c', 7n],
    ]);
  });

  it('toggles set elements and replaces single-valued columns', () => {
    expect(applyDiff(['u1', 'u2'], parseJson('["set",[["uuid","u2"],["uuid","u3"]]]'), port.get('interfaces'))).toEqual(
      ['u1', 'u3'],
    );
    expect(applyDiff(1n, parseJson('7'), iface.get('ofport'))).toBe(7n);
    expect(applyDiff(1n, parseJson('["set",[]]'), iface.get('ofport'))).toBeUndefined();
  });
});
