// Needs root: builds a topology in network namespaces (Linux bridge, veth pairs across namespaces,
// taps and a tun held by processes, macvlan, VXLAN, a private OVS with a netdev bridge) and checks
// what libs/netdev reports about it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteDir } from '../support/tmp.js';
import {
  InterfaceWatcher,
  formatTree,
  listInterfaces,
  type InventoryChange,
  type NetInterface,
} from '@nicscope/netdev';
import { Topology, TUNTAP_PY, linkName, type HeldTunTap, type Netns } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { run, tryRun, waitFor } from '../support/exec.js';

describe(listInterfaces.name, () => {
  const topo = new Topology();
  let ovs: OvsDaemons | undefined;
  let host: Netns;
  let guest: Netns;
  let br: string;
  let port: string;
  let guestEnd: string;
  let tap: HeldTunTap;
  let tun: HeldTunTap;
  let qtap: string;
  let qemuPid: number;
  let mv: string;
  let vx: string;
  let obr: string;
  let ovsPort: string;
  const libvirtDir = suiteDir('nicscope-libvirt');
  let list: NetInterface[];
  const get = (name: string): NetInterface => {
    const i = list.find((x) => x.name === name);
    if (!i) throw new Error(`${name} not in the inventory: ${list.map((x) => x.name).join(' ')}`);
    return i;
  };

  beforeAll(async () => {
    host = await topo.netns('host');
    guest = await topo.netns('guest');
    br = await host.bridge();
    const [p, g] = await topo.veth(host, guest, ['p', 'g']);
    port = p.name;
    guestEnd = g.name;
    await host.setMaster(port, br);
    await host.addr(br, '10.200.1.1/24');
    await guest.addr(guestEnd, '10.200.1.2/24');
    await guest.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.200.1.1']);
    tap = await topo.heldTunTap(host, 'tap');
    await host.setMaster(tap.name, br);
    tun = await topo.heldTunTap(host, 'tun');
    // A "QEMU" holding a tap: argv[0] and -name as a real QEMU command line has them.
    qtap = linkName('q');
    const q = host.spawn([
      'bash',
      '-c',
      `exec -a qemu-system-x86_64 /usr/bin/python3 ${TUNTAP_PY} tap ${qtap} -name guest=web-01,debug-threads=on`,
    ]);
    await new Promise<void>((resolve, reject) => {
      q.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      q.once('exit', () => reject(new Error('fake qemu exited')));
    });
    qemuPid = q.pid!;
    // A libvirt domain that names the plain tap as its interface.
    writeFileSync(
      join(libvirtDir, 'db-02.xml'),
      `<domain type='kvm'><name>db-02</name><devices><interface type='bridge'><source bridge='${br}'/><target dev='${tap.name}'/><model type='virtio'/></interface></devices></domain>`,
    );
    mv = linkName('mv');
    const [mvParent] = await topo.veth(host, guest, ['m', 'n']);
    await host.ip('link', 'add', mv, 'link', mvParent.name, 'type', 'macvlan', 'mode', 'bridge');
    vx = linkName('vx');
    await host.ip(
      'link',
      'add',
      vx,
      'type',
      'vxlan',
      'id',
      '42',
      'dstport',
      '4789',
      'local',
      '10.200.1.1',
      'remote',
      '10.200.1.2',
    );
    ovs = await startOvs(host);
    obr = linkName('ob');
    await ovs.addBridge(obr);
    const [o1] = await topo.veth(host, guest, ['o', 'h']);
    ovsPort = o1.name;
    await ovs.addPort(obr, ovsPort);
    list = await listInterfaces({ netns: host.name, ovsDb: ovs.dbSock, libvirtDirs: [libvirtDir] });
  });
  afterAll(async () => {
    await ovs?.stop();
    await topo.destroy();
  });

  it('reports a Linux bridge with its ports, and the port with its bridge and veth peer in another namespace', () => {
    const b = get(br);
    expect(b.kind).toBe('bridge');
    expect(b.driver?.name).toBe('bridge');
    expect(b.ports).toEqual(expect.arrayContaining([port, tap.name]));
    const p = get(port);
    expect(p.kind).toBe('veth');
    expect(p.driver?.name).toBe('veth');
    expect(p.master).toEqual({ name: br, kind: 'bridge' });
    expect(p.peer?.name).toBe(guestEnd);
    expect(p.peer?.netns).toBe(guest.name);
    expect(p.counters.rxPackets).toBeGreaterThanOrEqual(2); // the pings
    expect(p.promiscuity).toBeGreaterThanOrEqual(1); // a bridge port
  });

  it('reports the veth peer back from the other namespace', async () => {
    const g = (await listInterfaces({ netns: guest.name, ovsDb: false })).find((i) => i.name === guestEnd)!;
    expect(g.kind).toBe('veth');
    expect(g.peer).toMatchObject({ name: port, netns: host.name });
    expect(g.master).toBeUndefined();
  });

  it('reports taps and tuns with the processes holding them, and VM names from QEMU and libvirt', () => {
    const t = get(tap.name);
    expect(t.kind).toBe('tap');
    expect(t.driver?.name).toBe('tun');
    expect(t.owners).toEqual([{ pid: tap.process.pid, command: 'python3' }]);
    expect(t.vmName).toBe('db-02');
    expect(t.master?.name).toBe(br);
    const u = get(tun.name);
    expect(u.kind).toBe('tun');
    expect(u.owners?.map((o) => o.pid)).toEqual([tun.process.pid]);
    const q = get(qtap);
    expect(q.kind).toBe('tap');
    expect(q.owners).toEqual([{ pid: qemuPid, command: expect.any(String), vmName: 'web-01' }]);
    expect(q.vmName).toBe('web-01');
  });

  it('reports macvlan and VXLAN links with their details', () => {
    expect(get(mv).kind).toBe('macvlan');
    expect(get(mv).details?.mode).toBe('bridge');
    const v = get(vx);
    expect(v.kind).toBe('vxlan');
    expect(v.details?.id).toBe(42);
    expect(v.driver?.name).toBe('vxlan');
  });

  it('reports an OVS netdev bridge with its ports, and the datapath tap, as openvswitch', () => {
    const o = get(obr);
    expect(o.kind).toBe('openvswitch');
    expect(o.owners?.[0]?.command).toBe('ovs-vswitchd');
    expect(o.ports).toEqual([ovsPort]);
    const p = get(ovsPort);
    expect(p.kind).toBe('veth');
    expect(p.master).toEqual({ name: obr, kind: 'openvswitch', ovsBridge: obr });
    expect(get('ovs-netdev').kind).toBe('openvswitch');
    const tree = formatTree(list);
    expect(tree).toMatch(new RegExp(`${obr}\\s+\\[openvswitch\\][^\\n]*\\n└─ ${ovsPort}\\s+\\[veth\\]`));
    expect(tree).toMatch(new RegExp(`[├└]─ ${port}\\s+\\[veth\\].*peer ${guestEnd}@${guest.name}`));
  });

  it('reports a VLAN sub-interface, or shows that this kernel cannot make one', async () => {
    const vl = linkName('vl');
    const r = await tryRun([
      'ip',
      '-n',
      host.name,
      'link',
      'add',
      'link',
      port,
      'name',
      vl,
      'type',
      'vlan',
      'id',
      '100',
    ]);
    if (r.code === 0) {
      const v = (await listInterfaces({ netns: host.name, ovsDb: false })).find((i) => i.name === vl)!;
      expect(v.kind).toBe('vlan');
      expect(v.details?.id).toBe(100);
    } else {
      // This machine's kernel has no 8021q module (reference/machine.md).
      expect(r.stderr).toMatch(/Unknown device type|not supported/i);
    }
  });

  it('names a namespace that does not exist', async () => {
    await expect(listInterfaces({ netns: 'nsc-no-such-ns' })).rejects.toThrow(/no network namespace "nsc-no-such-ns"/);
  });
});

describe(InterfaceWatcher.name, () => {
  const topo = new Topology();
  afterAll(() => topo.destroy());

  it('reports an added and a removed interface, and an MTU change', async () => {
    const ns = await topo.netns('w');
    const w = new InterfaceWatcher({ netns: ns.name, intervalMs: 250, ovsDb: false });
    const events: InventoryChange[] = [];
    w.start((c) => events.push(c));
    try {
      await waitFor(() => events.length >= 1, 'first poll');
      const name = linkName('d');
      await run(['ip', '-n', ns.name, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      await waitFor(() => events.some((e) => e.added.some((i) => i.name === name)), 'added');
      await ns.ip('link', 'set', name, 'mtu', '1400');
      await waitFor(() => events.some((e) => e.changed.some((i) => i.name === name && i.mtu === 1400)), 'changed');
      await ns.ip('link', 'del', name);
      await waitFor(() => events.some((e) => e.removed.some((i) => i.name === name)), 'removed');
      expect(w.failures).toBe(0);
    } finally {
      w.stop();
    }
  });
});
