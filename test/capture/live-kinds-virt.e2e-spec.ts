// Needs root: creates network namespaces, a tap and a tun held open by a process, a macvlan and
// private OVS daemons; captures with libs/pcap and tcpdump side by side.
// (The Linux bridge, bridge port, veth and `any` cases are in live-kinds.e2e-spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture } from '@nicscope/pcap';
import { Topology, linkName, type Netns } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { waitFor } from '../support/exec.js';
import { compareWithTcpdump } from './support/compare.js';
import { ipv4Udp, rxPackets, sendUdp } from './support/child.js';

describe(`${LiveCapture.name} on taps, tuns, macvlan and OVS internal ports`, () => {
  const topo = new Topology();
  let host: Netns;
  let ovs: OvsDaemons | undefined;

  beforeAll(async () => {
    host = await topo.netns('host');
  });
  afterAll(async () => {
    await ovs?.stop();
    await topo.destroy();
  });

  it('sees on a tap held open by a process (a guest NIC) exactly what tcpdump sees', async () => {
    const tap = await topo.heldTunTap(host, 'tap');
    await host.addr(tap.name, '10.200.2.1/24');
    const src = Buffer.from('02000000c802', 'hex');
    const frames = Array.from({ length: 500 }, (_, i) =>
      Buffer.concat([
        Buffer.from('ffffffffffff', 'hex'),
        src,
        Buffer.from('0800', 'hex'),
        ipv4Udp('10.200.2.2', '10.200.2.1', 4000 + i, 9999, 10 + (i % 200)),
      ]),
    );
    await compareWithTcpdump(
      host,
      tap.name,
      'udp',
      async () => {
        const before = await rxPackets(host, tap.name);
        for (const f of frames) tap.write(f);
        await waitFor(
          async () => (await rxPackets(host, tap.name)) >= before + frames.length,
          'frames written into the tap',
          20_000,
        );
      },
      { minPackets: 500, linkTypes: [1] },
    );
  });

  it('sees on a tun carrying raw IP exactly what tcpdump sees', async () => {
    const tun = await topo.heldTunTap(host, 'tun');
    await host.addr(tun.name, '10.200.3.1/24');
    const pkts = Array.from({ length: 500 }, (_, i) =>
      ipv4Udp('10.200.3.2', '10.200.3.1', 5000 + i, 9999, 1 + (i % 300)),
    );
    const c = await compareWithTcpdump(
      host,
      tun.name,
      'udp',
      async () => {
        const before = await rxPackets(host, tun.name);
        for (const p of pkts) tun.write(p);
        await waitFor(
          async () => (await rxPackets(host, tun.name)) >= before + pkts.length,
          'packets written into the tun',
          20_000,
        );
      },
      { minPackets: 500, linkTypes: [12, 101] },
    );
    expect(c.ours.packets).toBe(500);
  });

  it('sees on a macvlan exactly what tcpdump sees', async () => {
    const far = await topo.netns('far');
    const [parent, farEnd] = await topo.veth(host, far, ['mp', 'mf']);
    const mv = linkName('mv');
    await host.ip('link', 'add', mv, 'link', parent.name, 'type', 'macvlan', 'mode', 'bridge');
    try {
      await host.up(mv);
      await host.addr(mv, '10.200.4.1/24');
      await far.addr(farEnd.name, '10.200.4.2/24');
      await far.noOffload(farEnd.name);
      // The parent veth has no address but answers ARP for the macvlan's (arp_ignore 0): when its
      // reply wins, the far end sends to the parent's MAC and the macvlan sees nothing. Pin the
      // neighbour to the macvlan's MAC.
      const mvMac = await host.mac(mv);
      await far.ip('neigh', 'replace', '10.200.4.1', 'lladdr', mvMac, 'dev', farEnd.name, 'nud', 'permanent');
      await far.exec(['ping', '-c', '1', '-W', '2', '10.200.4.1']);
      await compareWithTcpdump(host, mv, 'udp', () => sendUdp(far, '10.200.4.1', 1000), {
        minPackets: 1000,
        linkTypes: [1],
      });
    } finally {
      // A retry builds the same addresses on new links: these must not stay beside them.
      await host.ip('link', 'del', mv).catch(() => undefined);
      await host.ip('link', 'del', parent.name).catch(() => undefined);
    }
  });

  it('sees on an OVS internal port (private OVS, userspace datapath) exactly what tcpdump sees', async () => {
    const sw = await topo.netns('ovs');
    const vm = await topo.netns('vm');
    ovs = await startOvs(sw);
    const bridge = linkName('ob');
    await ovs.addBridge(bridge);
    const [swEnd, vmEnd] = await topo.veth(sw, vm, ['os', 'ov']);
    await ovs.addPort(bridge, swEnd.name);
    await sw.noOffload(swEnd.name);
    await vm.noOffload(vmEnd.name);
    await sw.up(bridge);
    await sw.addr(bridge, '10.200.5.1/24');
    await vm.addr(vmEnd.name, '10.200.5.2/24');
    await vm.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.200.5.1']);
    const kind = await sw.exec(['ip', '-d', 'link', 'show', bridge]);
    expect(kind.stdout).toMatch(/tun type tap/); // userspace datapath internal ports are taps
    await compareWithTcpdump(sw, bridge, 'udp', () => sendUdp(vm, '10.200.5.1', 500, { rateHint: 20000 }), {
      minPackets: 250,
      linkTypes: [1],
    });
  });
});
