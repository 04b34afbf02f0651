// Needs root: creates network namespaces, veth pairs and a Linux bridge; captures with libs/pcap and
// tcpdump side by side. (Taps, tuns, macvlan and OVS: live-kinds-virt.e2e-spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture, OfflineCapture, RECORD_HEADER } from '@nicscope/pcap';
import { Topology, type Netns } from '../support/netns.js';
import { compareWithTcpdump } from './support/compare.js';
import { ipv4Udp, sendUdp } from './support/child.js';

describe(`${LiveCapture.name} on veth, Linux bridge, bridge port and any`, () => {
  const topo = new Topology();
  let host: Netns; // the "hypervisor" namespace: the bridge and its port
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
  afterAll(() => topo.destroy());

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
});
