// Needs root: creates network namespaces, veth pairs, a Linux bridge, tap/tun devices held by a
// process, a macvlan, and private OVS daemons; captures with libs/pcap and tcpdump side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture, OfflineCapture, RECORD_HEADER } from '@nicscope/pcap';
import { Topology, linkName, type Netns } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { waitFor } from '../support/exec.js';
import { compareWithTcpdump } from './support/compare.js';
import { ipv4Udp, sendUdp } from './support/child.js';

/** The kernel's receive counter of a device (frames a tap/tun holder wrote count as received). */
async function rxPackets(ns: Netns, dev: string): Promise<number> {
  const { stdout } = await ns.ip('-s', '-j', 'link', 'show', 'dev', dev);
  return (JSON.parse(stdout) as Array<{ stats64: { rx: { packets: number } } }>)[0]!.stats64.rx.packets;
}

describe(`${LiveCapture.name} on every interface kind`, () => {
  const topo = new Topology();
  let host: Netns; // the "hypervisor" namespace: bridge, bridge port, tap, tun, macvlan
  let guest: Netns; // the far end of the veth on the bridge
  let br: string;
  let port: string;
  let peer: string;

  beforeAll(async () => {
    host = await topo.netns('host');
    guest = await topo.netns('guest');
    br = await host.bridge();
    const [p, g] = await topo.veth(host, guest, ['p', 'g']);
    port = p.name;
    peer = g.name;
    await host.setMaster(port, br);
    await host.addr(br, '10.200.1.1/24');
    await guest.addr(peer, '10.200.1.2/24');
    for (const [ns, dev] of [
      [host, port],
      [host, br],
      [guest, peer],
    ] as const)
      await ns.noOffload(dev);
    await guest.exec(['ping', '-c', '1', '-W', '2', '10.200.1.1']);
  });
  let ovs: OvsDaemons | undefined;
  afterAll(async () => {
    await ovs?.stop();
    await topo.destroy();
  });

  const udp = (n: number) => () => sendUdp(guest, '10.200.1.1', n);

  it('sees on a veth exactly what tcpdump sees', async () => {
    const c = await compareWithTcpdump(guest, peer, 'udp', udp(3000), { minPackets: 3000, linkTypes: [1] });
    expect(c.ours.packets).toBe(3000);
  });

  it('sees on a Linux bridge exactly what tcpdump sees', async () => {
    await compareWithTcpdump(host, br, 'udp', udp(2000), { minPackets: 2000, linkTypes: [1] });
  });

  it('sees on a bridge port exactly what tcpdump sees', async () => {
    await compareWithTcpdump(host, port, 'udp', udp(2000), { minPackets: 2000, linkTypes: [1] });
  });

  it('sees on "any" (Linux cooked) exactly what tcpdump sees', async () => {
    // The bridge and its port both see each datagram: twice the packets.
    await compareWithTcpdump(host, 'any', 'udp', udp(1000), { minPackets: 2000, linkTypes: [113, 276] });
  });

  it('sees 802.1Q-tagged frames on a bridge port exactly as tcpdump does (tags made in user space: no 8021q here)', async () => {
    const frames = Array.from({ length: 300 }, (_, i) =>
      Buffer.concat([
        Buffer.from('ffffffffffff02000000c8018100', 'hex'),
        Buffer.from([0x00, 100 + (i % 3)]), // VID 100..102
        Buffer.from('0800', 'hex'),
        ipv4Udp('10.200.1.2', '10.200.1.1', 6000 + i, 9999, 20 + (i % 50)),
      ]).toString('hex'),
    );
    const c = await compareWithTcpdump(host, port, 'vlan', () => guest.sendRaw(peer, frames), {
      minPackets: 300,
      linkTypes: [1],
    });
    expect(c.ours.packets).toBe(300);
    // The tag is in the captured bytes (libpcap puts back what the kernel moved to metadata).
    const f = OfflineCapture.open(c.oursFile);
    const b = f.readBatch(1)!;
    f.close();
    expect(b.view.getUint16(RECORD_HEADER + 12)).toBe(0x8100);
    expect(b.view.getUint16(RECORD_HEADER + 14) & 0x0fff).toBe(100);
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
    await host.up(mv);
    await host.addr(mv, '10.200.4.1/24');
    await far.addr(farEnd.name, '10.200.4.2/24');
    await far.noOffload(farEnd.name);
    await far.exec(['ping', '-c', '1', '-W', '2', '10.200.4.1']);
    await compareWithTcpdump(host, mv, 'udp', () => sendUdp(far, '10.200.4.1', 1000), {
      minPackets: 1000,
      linkTypes: [1],
    });
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
