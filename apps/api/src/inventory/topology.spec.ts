import { describe, expect, it } from 'vitest';
import { buildTopology, type InventoryRow } from './topology.js';

const row = (name: string, kind: string, extra: Partial<InventoryRow> = {}): InventoryRow => ({
  collector: 'h',
  netns: '',
  name,
  kind,
  master: '',
  peer: '',
  peerNetns: '',
  ovsBridge: '',
  owner: '',
  ...extra,
});

describe(buildTopology.name, () => {
  it('hangs ports under their Linux bridge per namespace and OVS ports under their OVS bridge', () => {
    const t = buildTopology([
      row('br0', 'bridge'),
      row('br0', 'bridge', { netns: 'ns1' }),
      row('v1', 'veth', { master: 'br0', peer: 'eth0', peerNetns: 'c1' }),
      row('v2', 'veth', { netns: 'ns1', master: 'br0' }),
      row('vnet0', 'tap', { ovsBridge: 'ovs0', owner: 'vm-a' }),
      row('ovs0', 'openvswitch', { ovsBridge: 'ovs0' }),
      row('eth0', 'physical', { master: 'nope' }),
    ]);
    expect(t).toHaveLength(1);
    expect(t[0]!.bridges.map((b) => [b.type, b.netns ?? '', b.name, b.ports.map((p) => p.name)])).toEqual([
      ['linux', '', 'br0', ['v1']],
      ['linux', 'ns1', 'br0', ['v2']],
      ['ovs', '', 'ovs0', ['vnet0']],
    ]);
    expect(t[0]!.bridges[0]!.ports[0]).toEqual({ name: 'v1', kind: 'veth', peer: 'eth0', peerNetns: 'c1' });
    expect(t[0]!.standalone).toEqual([{ name: 'eth0', kind: 'physical' }]);
  });

  it('keeps hosts apart', () => {
    expect(
      buildTopology([row('a', 'physical', { collector: 'y' }), row('b', 'physical', { collector: 'x' })]).map(
        (h) => h.collector,
      ),
    ).toEqual(['x', 'y']);
  });
});
