// Needs root: a veth pair with one end in the root namespace (where the worker captures) and the
// other in a test namespace (where raw frames are sent from); no address is set in the root namespace.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, waitFor } from '../support/exec.js';
import { Topology, type Netns } from '../support/netns.js';
import { LiveCapture } from '@nicscope/pcap';
import { buildCaptureChild } from './support/child.js';

async function promiscuity(dev: string): Promise<number> {
  const { stdout } = await run(['ip', '-d', '-j', 'link', 'show', 'dev', dev]);
  return (JSON.parse(stdout) as Array<{ promiscuity: number }>)[0]!.promiscuity;
}

describe('LiveCapture in worker_threads and on a root-namespace veth', () => {
  const topo = new Topology();
  let ns: Netns;
  let rootEnd: string;
  let nsEnd: string;
  const frame = 'ffffffffffff020000000701' + '88b5' + '00'.repeat(60); // local experimental EtherType

  beforeAll(async () => {
    ns = await topo.netns('w');
    const [r, n] = await topo.veth(null, ns);
    rootEnd = r.name;
    nsEnd = n.name;
  });
  afterAll(() => topo.destroy());

  it('captures in a worker, and worker.terminate() during capture closes the socket (promiscuity restored)', async () => {
    const lib = join(buildCaptureChild(), '..', 'pcap', 'index.js');
    const code = `const { parentPort, workerData } = require('node:worker_threads');
      const { LiveCapture } = require(workerData.lib);
      const c = LiveCapture.open({ device: workerData.dev, filter: 'ether proto 0x88b5', timeoutMs: 10 });
      let n = 0;
      c.start((b) => { n += b.count; parentPort.postMessage({ n, linkType: c.linkType }); });
      parentPort.postMessage({ ready: true });`;
    const before = await promiscuity(rootEnd);
    const w = new Worker(code, { eval: true, workerData: { lib, dev: rootEnd } });
    let last = { n: 0, linkType: 0 };
    let ready = false;
    w.on('message', (m: { ready?: boolean; n: number; linkType: number }) => {
      if (m.ready) ready = true;
      else last = m;
    });
    await waitFor(() => ready, 'worker ready');
    expect(await promiscuity(rootEnd)).toBe(before + 1);
    await ns.sendRaw(nsEnd, [frame], { repeat: 1000 });
    await waitFor(() => last.n >= 1000, 'worker saw 1000 frames', 10_000);
    expect(last.n).toBe(1000);
    expect(last.linkType).toBe(1);
    await w.terminate(); // the uv_poll is still running: the env cleanup hook must close it
    await waitFor(async () => (await promiscuity(rootEnd)) === before, 'promiscuity restored', 5000);
    // The main thread still works after a worker's teardown.
    const again = new Worker(code, { eval: true, workerData: { lib, dev: rootEnd } });
    let n2 = 0;
    again.on('message', (m: { n?: number }) => (n2 = m.n ?? n2));
    await new Promise((r) => again.once('message', r));
    await ns.sendRaw(nsEnd, [frame], { repeat: 10 });
    await waitFor(() => n2 >= 10, 'second worker saw 10 frames', 10_000);
    await again.terminate();
  });

  it('delivers a lone packet at once in immediate mode, long before a 60 s block timeout', async () => {
    // Without immediate mode the packet would wait in an open block until the block timer fires
    // (up to 60 s after the capture opened).
    const c = LiveCapture.open({
      device: rootEnd,
      filter: 'ether proto 0x88b5',
      timeoutMs: 60_000,
      immediate: true,
      promisc: false,
    });
    let at = 0;
    c.start(() => (at ||= Date.now()));
    try {
      await ns.sendRaw(nsEnd, [frame]);
      const sent = Date.now();
      await waitFor(() => at > 0, 'the batch', 3000);
      expect(at - sent).toBeLessThan(1500);
    } finally {
      c.close();
    }
  });
});
