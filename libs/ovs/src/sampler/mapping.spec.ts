import { describe, expect, it } from 'vitest';
import { type OvsdbRow } from '../ovsdb/datum.js';
import { buildPortMapping, joinInventory, ownerOf } from './mapping.js';

const view = new Map<string, Map<string, OvsdbRow>>([
  ['Bridge', new Map([['b1', { name: 'br0', datapath_type: 'netdev', ports: ['p1', 'p2', 'p-missing'] }]])],
  [
    'Port',
    new Map<string, OvsdbRow>([
      ['p1', { name: 'vnet0', interfaces: ['i1'] }],
      ['p2', { name: 'bond0', interfaces: ['i2', 'i3'] }],
    ]),
  ],
  [
    'Interface',
    new Map<string, OvsdbRow>([
      [
        'i1',
        {
          name: 'vnet0',
          ofport: 3n,
          type: 'tap',
          external_ids: new Map([
            ['vm-uuid', 'u-1'],
            ['iface-id', 'port-9'],
            ['attached-mac', 'fa:16:3e:00:00:01'],
          ]),
        },
      ],
      ['i2', { name: 'eth1', ofport: 1n, type: '' }],
      ['i3', { name: 'eth2', ofport: undefined, type: '' }],
    ]),
  ],
]);

describe(buildPortMapping.name, () => {
  it('maps every interface to bridge, port, ofport, type and owner, skipping dangling references', () => {
    const m = buildPortMapping(view);
    expect(m.map((x) => [x.bridge, x.port, x.interface, x.ofport, x.type, x.owner_kind, x.owner_id])).toEqual([
      ['br0', 'bond0', 'eth1', 1, '', '', ''],
      ['br0', 'vnet0', 'vnet0', 3, 'tap', 'vm', 'u-1'],
      ['br0', 'bond0', 'eth2', null, '', '', ''],
    ]);
    expect(m[1]).toMatchObject({ iface_id: 'port-9', attached_mac: 'fa:16:3e:00:00:01', datapath_type: 'netdev' });
  });
});

describe(ownerOf.name, () => {
  it('prefers vm-uuid, then vm-id, then container_id, then iface-id', () => {
    expect(ownerOf({ 'vm-id': 'a', 'iface-id': 'b' })).toEqual({ kind: 'vm', id: 'a' });
    expect(ownerOf({ container_id: 'c', 'iface-id': 'b' })).toEqual({ kind: 'container', id: 'c' });
    expect(ownerOf({ 'iface-id': 'b' })).toEqual({ kind: 'iface', id: 'b' });
    expect(ownerOf({})).toEqual({ kind: '', id: '' });
  });
});

describe(joinInventory.name, () => {
  it('joins by interface name and leaves null where the host does not list the interface', () => {
    const j = joinInventory(buildPortMapping(view), [{ name: 'vnet0', ifindex: 7 }]);
    expect(j.find((x) => x.interface === 'vnet0')!.inventory).toEqual({ name: 'vnet0', ifindex: 7 });
    expect(j.find((x) => x.interface === 'eth1')!.inventory).toBeNull();
  });
});
