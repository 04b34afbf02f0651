// Needs root: creates network namespaces, veth pairs, a bridge, tap/tun devices and OVS daemons.
import { afterAll, describe, expect, it } from 'vitest';
import { Topology } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { tryRun } from '../support/exec.js';

describe(Topology.name, () => {
  const topo = new Topology();
  let ovs: OvsDaemons | undefined;
  afterAll(async () => {
    await ovs?.stop();
    await topo.destroy();
  });

  it('connects two namespaces through a bridge so that ping passes', async () => {
    const [a, b, sw] = [await topo.netns('a'), await topo.netns('b'), await topo.netns('sw')];
    const br = await sw.bridge();
    const [a0, a1] = await topo.veth(a, sw);
    const [b0, b1] = await topo.veth(b, sw);
    await sw.setMaster(a1.name, br);
    await sw.setMaster(b1.name, br);
    await a.addr(a0.name, '10.200.1.1/24');
    await b.addr(b0.name, '10.200.1.2/24');
    const r = await a.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.200.1.2']);
    expect(r.stdout).toMatch(/2 received/);
  });

  it('refuses an address outside the test ranges', async () => {
    const ns = await topo.netns('x');
    await expect(ns.addr('lo', '192.168.1.1/24')).rejects.toThrow(/outside 10.200.0.0\/16/);
  });

  it('holds a tap open in a process and removes it with the process', async () => {
    const ns = await topo.netns('t');
    const tap = await topo.heldTunTap(ns, 'tap');
    const shown = await tryRun(['ip', '-n', ns.name, '-d', 'link', 'show', tap.name]);
    expect(shown.stdout).toMatch(/tun type tap/);
    tap.process.kill('SIGKILL');
    await new Promise((r) => tap.process.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));
    expect((await tryRun(['ip', '-n', ns.name, 'link', 'show', tap.name])).code).not.toBe(0);
  });

  it('starts private OVS daemons with a netdev bridge', async () => {
    const ns = await topo.netns('ovs');
    ovs = await startOvs(ns);
    await ovs.addBridge('br0');
    const show = await ovs.appctl('dpctl/show');
    expect(show.stdout).toMatch(/netdev@ovs-netdev/);
    await ovs.stop();
    expect(ovs.vswitchdPid && (await tryRun(['kill', '-0', String(ovs.vswitchdPid)])).code).not.toBe(0);
  });
});
