import { describe, expect, it } from 'vitest';
import {
  classify,
  interruptsFor,
  parseFdinfoIff,
  parseInterrupts,
  parseLibvirtDomain,
  parseNetnsIds,
  vmNameFromCmdline,
  type IpLinkEntry,
} from './parse.js';
import { diffInventory, shapeOf } from './watch.js';
import { fromIpLink } from './parse.js';

const INTERRUPTS = `           CPU0       CPU1
  0:         31          0   IO-APIC   2-edge      timer
 37:          5         10   PCI-MSIX-0000:00:03.0   0-edge      virtio2-config
 38:       1000       2000   PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
 39:          7          0   PCI-MSIX-0000:00:04.0   1-edge      eth1-TxRx-0
 40:          1          1   PCI-MSIX-0000:00:05.0   1-edge      eth10-TxRx-0
NMI:          0          0   Non-maskable interrupts
`;

describe(parseInterrupts.name, () => {
  it('reads per-CPU counts, chip and action names', () => {
    const rows = parseInterrupts(INTERRUPTS);
    expect(rows.find((r) => r.irq === '38')).toEqual({
      irq: '38',
      perCpu: [1000, 2000],
      chip: 'PCI-MSIX-0000:00:03.0 1-edge',
      name: 'virtio2-input.0',
    });
  });

  it('finds a NIC by its name, its virtio device or its PCI address, and not a longer name', () => {
    const rows = parseInterrupts(INTERRUPTS);
    expect(interruptsFor(rows, 'eth0', 'virtio2', '0000:00:03.0').map((r) => [r.irq, r.total])).toEqual([
      ['37', 15],
      ['38', 3000],
    ]);
    expect(interruptsFor(rows, 'eth1', undefined, undefined).map((r) => r.irq)).toEqual(['39']);
  });
});

describe(vmNameFromCmdline.name, () => {
  it('reads -name guest=X,… and -name X, and unescapes ,,', () => {
    expect(vmNameFromCmdline(['qemu-system-x86_64', '-name', 'guest=web-01,debug-threads=on', '-m', '1024'])).toBe(
      'web-01',
    );
    expect(vmNameFromCmdline(['qemu-kvm', '-name', 'plain'])).toBe('plain');
    expect(vmNameFromCmdline(['qemu-kvm', '-name', 'guest=a,,b,process=x'])).toBe('a,b');
    expect(vmNameFromCmdline(['qemu-kvm', '-m', '512'])).toBeUndefined();
  });
});

describe(parseFdinfoIff.name, () => {
  it('reads the device name of a tun fd', () => {
    expect(parseFdinfoIff('pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t1041\niff:\ttap0\n')).toBe('tap0');
    expect(parseFdinfoIff('pos:\t0\nflags:\t02\n')).toBeUndefined();
  });
});

describe(parseLibvirtDomain.name, () => {
  it('reads the domain name and its interfaces target devices', () => {
    const xml = `<domain type='kvm'><name>db-02</name><devices><interface type='bridge'><target dev="vnet3"/></interface><interface type='network'><target dev='vnet4'/></interface><disk><target dev='vda'/></disk></devices></domain>`;
    expect(parseLibvirtDomain(xml)).toEqual({ name: 'db-02', devices: ['vnet3', 'vnet4'] });
    expect(parseLibvirtDomain('<domain/>')).toBeUndefined();
  });
});

describe(classify.name, () => {
  const e = (x: Partial<IpLinkEntry>): IpLinkEntry => ({ ifindex: 1, ifname: 'x', ...x });
  it('tells every kind apart', () => {
    expect(classify(e({ link_type: 'loopback' }), false)).toBe('loopback');
    expect(classify(e({ link_type: 'ether' }), true)).toBe('physical');
    expect(classify(e({ link_type: 'ether', linkinfo: { info_kind: 'tun', info_data: { type: 'tap' } } }), false)).toBe(
      'tap',
    );
    expect(classify(e({ link_type: 'none', linkinfo: { info_kind: 'tun', info_data: { type: 'tun' } } }), false)).toBe(
      'tun',
    );
    expect(classify(e({ linkinfo: { info_kind: 'gretap' } }), false)).toBe('gre');
    expect(classify(e({ linkinfo: { info_kind: 'openvswitch' } }), false)).toBe('openvswitch');
    expect(classify(e({ linkinfo: { info_kind: 'wireguard' } }), false)).toBe('other');
  });

  it('keeps master, veth peer and counters', () => {
    const i = fromIpLink(
      e({
        ifname: 'v1',
        link_type: 'ether',
        master: 'ovs-system',
        link_index: 7,
        link_netnsid: 2,
        linkinfo: { info_kind: 'veth', info_slave_kind: 'openvswitch' },
        stats64: { rx: { packets: 5, bytes: 500, multicast: 1 }, tx: { packets: 3, bytes: 300 } },
      }),
      'ns1',
      false,
    );
    expect(i.master).toEqual({ name: 'ovs-system', kind: 'openvswitch' });
    expect(i.peer).toEqual({ ifindex: 7, netnsId: 2 });
    expect(i.counters).toMatchObject({
      rxPackets: 5,
      rxBytes: 500,
      rxMulticast: 1,
      txPackets: 3,
      txBytes: 300,
      rxErrors: 0,
    });
  });
});

describe(parseNetnsIds.name, () => {
  it('maps ids to names and survives junk', () => {
    expect(parseNetnsIds('[{"nsid":0,"current-nsid":0,"name":"a"},{"nsid":1}]')).toEqual(new Map([[0, 'a']]));
    expect(parseNetnsIds('not json').size).toBe(0);
  });
});

describe(diffInventory.name, () => {
  it('reports added, removed and changed, not counter moves', () => {
    const base = fromIpLink({ ifindex: 1, ifname: 'a', mtu: 1500, linkinfo: { info_kind: 'veth' } }, '', false);
    const prev = new Map([[base.name, shapeOf(base)]]);
    const moved = { ...base, counters: { ...base.counters, rxPackets: 99 } };
    expect(diffInventory(prev, [moved], [base]).changed).toEqual([]);
    const mtu = { ...base, mtu: 9000 };
    const b = fromIpLink({ ifindex: 2, ifname: 'b' }, '', false);
    const d = diffInventory(prev, [mtu, b], [base]);
    expect(d.changed.map((i) => i.name)).toEqual(['a']);
    expect(d.added.map((i) => i.name)).toEqual(['b']);
    expect(diffInventory(prev, [], [base]).removed.map((i) => i.name)).toEqual(['a']);
  });
});
