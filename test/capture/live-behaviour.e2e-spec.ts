// Needs root: creates network namespaces, a Linux bridge with veth ports, and captures in child
// processes inside them (promiscuous mode, SIGKILL, a stalled consumer), plus bad-input errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDir } from '../support/tmp.js';
import { LiveCapture, OfflineCapture, PcapError, PcapWriter, LinkType, makeBatch } from '@nicscope/pcap';
import { Topology, type Netns } from '../support/netns.js';
import { sleep, waitFor } from '../support/exec.js';
import { buildCaptureChild, CaptureChild, sendUdp } from './support/child.js';

describe(`${LiveCapture.name} behaviour`, () => {
  const topo = new Topology();
  let sw: Netns;
  let a: Netns;
  let b: Netns;
  let br: string;
  let portA: string;
  let bDev: string;

  beforeAll(async () => {
    [sw, a, b] = [await topo.netns('sw'), await topo.netns('a'), await topo.netns('b')];
    br = await sw.bridge();
    const [a0, a1] = await topo.veth(a, sw);
    const [b0, b1] = await topo.veth(b, sw);
    portA = a1.name;
    bDev = b0.name;
    await sw.setMaster(a1.name, br);
    await sw.setMaster(b1.name, br);
    await a.addr(a0.name, '10.200.1.1/24');
    await b.addr(b0.name, '10.200.1.2/24');
    for (const [ns, d] of [
      [a, a0.name],
      [b, b0.name],
      [sw, a1.name],
      [sw, b1.name],
    ] as const)
      await ns.noOffload(d);
    // Both MACs learned by the bridge: A→B unicast is forwarded to B's port only.
    await a.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.200.1.2']);
  });
  afterAll(() => topo.destroy());

  async function captureOnBridge(promisc: boolean): Promise<{ packets: number; during: number }> {
    const child = new CaptureChild(sw, { devices: [br], filter: 'udp', promisc, timeoutMs: 20 });
    await child.ready();
    const during = await sw.promiscuity(br);
    await sendUdp(a, '10.200.1.2', 200);
    await sleep(200);
    const [r] = await child.stop();
    return { packets: r!.packets, during };
  }

  it('captures frames addressed to another MAC on the bridge with promiscuous on, and not with it off', async () => {
    const before = await sw.promiscuity(br);
    const on = await captureOnBridge(true);
    expect(on.during).toBe(before + 1);
    expect(on.packets).toBe(200);
    const off = await captureOnBridge(false);
    expect(off.during).toBe(before);
    expect(off.packets).toBe(0);
    expect(await sw.promiscuity(br)).toBe(before);
  });

  it('leaves the bridge port promiscuity where it was after SIGKILL of the capturing process', async () => {
    const before = await sw.promiscuity(portA); // 1: the bridge itself holds its ports promiscuous
    const child = new CaptureChild(sw, { devices: [portA], promisc: true });
    await child.ready();
    expect(await sw.promiscuity(portA)).toBe(before + 1);
    child.proc.kill('SIGKILL');
    await new Promise((r) => child.proc.once('exit', r));
    await waitFor(async () => (await sw.promiscuity(portA)) === before, 'promiscuity restored', 5000);
    expect(await sw.promiscuity(portA)).toBe(before);
  });

  it('keeps only one direction when asked, and cuts frames at the snaplen keeping their wire length', async () => {
    const file = join(testDir('nicscope-dir'), 'in.pcap');
    const inbound = new CaptureChild(b, {
      devices: [bDev],
      filter: 'icmp',
      direction: 'in',
      snaplen: 64,
      timeoutMs: 20,
      writeFile: file,
    });
    const outbound = new CaptureChild(b, { devices: [bDev], filter: 'icmp', direction: 'out', timeoutMs: 20 });
    await Promise.all([inbound.ready(), outbound.ready()]);
    await a.exec(['ping', '-c', '5', '-i', '0.05', '-s', '1000', '-W', '2', '10.200.1.2']);
    await sleep(200);
    const [[i], [o]] = await Promise.all([inbound.stop(), outbound.stop()]);
    expect(i!.packets).toBe(5); // echo requests only
    expect(o!.packets).toBe(5); // echo replies only
    // 1000 bytes of ICMP data + 8 ICMP + 20 IP + 14 Ethernet on the wire; 64 kept.
    expect(i!.bytes).toBe(5 * 1042);
    const cap = OfflineCapture.open(file);
    const batch = cap.readBatch()!;
    cap.close();
    expect(cap.snaplen).toBe(64);
    for (let k = 0, off = 0; k < batch.count; k++) {
      expect([batch.view.getUint32(off + 8, true), batch.view.getUint32(off + 12, true)]).toEqual([64, 1042]);
      off += 16 + 64;
    }
  });

  it('captures several interfaces at once into one pcap file each', async () => {
    const base = join(testDir('nicscope-multi'), 'multi.pcap');
    const child = new CaptureChild(sw, { devices: [portA, br], filter: 'udp', writeFile: base, timeoutMs: 20 });
    await child.ready();
    await sendUdp(a, '10.200.1.2', 50);
    await sleep(200);
    const res = await child.stop();
    expect(res.map((r) => [r.device, r.packets])).toEqual([
      [portA, 50],
      [br, 50], // promiscuous bridge: it sees what it forwards
    ]);
    for (const dev of [portA, br]) {
      const f = OfflineCapture.open(base.replace(/\.pcap$/, `.${dev}.pcap`));
      expect(f.readBatch()!.count).toBe(50);
      f.close();
    }
  });

  it('reports kernel drops when the consumer stalls', async () => {
    const release = join(testDir('nicscope-stall'), 'release');
    const child = new CaptureChild(b, {
      devices: [bDev],
      filter: 'udp',
      bufferSize: 1 << 20,
      snaplen: 2048,
      timeoutMs: 10,
      stallFile: release,
    });
    await child.ready();
    await sendUdp(a, '10.200.1.2', 5);
    await child.waitEvent('stalling');
    // 20k datagrams of ~1 KB while the consumer is blocked: far more than the 1 MiB ring holds.
    await sendUdp(a, '10.200.1.2', 20_000, { minSize: 900, maxSize: 1000 });
    writeFileSync(release, '');
    const [r] = await child.stop();
    expect(r!.stats!.drop).toBeGreaterThan(0);
    expect(r!.stats!.recv).toBeGreaterThanOrEqual(r!.packets);
    expect(r!.packets + r!.stats!.drop).toBeGreaterThanOrEqual(20_000);
  });
});

describe('bad input', () => {
  it('names an unknown interface', () => {
    expect(() => LiveCapture.open({ device: 'nscnosuch0' })).toThrow(PcapError);
    expect(() => LiveCapture.open({ device: 'nscnosuch0' })).toThrow(/no such interface "nscnosuch0"/);
  });

  it('gives libpcap text for a bad live filter and closes the capture', () => {
    expect(() => LiveCapture.open({ device: 'lo', promisc: false, filter: 'tcp port' })).toThrow(
      /bad filter "tcp port": .*syntax error/,
    );
  });

  it('rejects an unwritable pcap path', () => {
    expect(() => PcapWriter.open('/nonexistent-dir/x.pcap', LinkType.EN10MB)).toThrow(
      /cannot write "\/nonexistent-dir\/x.pcap": .*No such file/,
    );
  });
});

describe('worker_threads', () => {
  it('loads the addon in two workers at once and reads a file in each', async () => {
    const dir = testDir('nicscope-worker');
    const file = join(dir, 'w.pcap');
    const w = PcapWriter.open(file, LinkType.EN10MB);
    w.writeBatch(makeBatch(Array.from({ length: 1000 }, (_, i) => ({ data: new Uint8Array(60 + (i % 40)) }))));
    w.close();
    const lib = join(buildCaptureChild(), '..', 'pcap', 'index.js');
    const code = `const { parentPort, workerData } = require('node:worker_threads');
      const { OfflineCapture } = require(workerData.lib);
      const c = OfflineCapture.open(workerData.file); let n = 0; for (let b = c.readBatch(); b; b = c.readBatch()) n += b.count;
      c.close(); parentPort.postMessage(n);`;
    const runOne = () =>
      new Promise<number>((resolve, reject) => {
        const wk = new Worker(code, { eval: true, workerData: { lib, file } });
        wk.once('message', (n: number) => {
          resolve(n);
          void wk.terminate();
        });
        wk.once('error', reject);
      });
    const counts = await Promise.all([runOne(), runOne()]);
    expect(counts).toEqual([1000, 1000]);
    const main = OfflineCapture.open(file);
    expect(main.readBatch(5000)!.count).toBe(1000);
    main.close();
  });
});
