// Needs root: a namespace and a veth pair; real capture on the root end, real traffic from the namespace.
// One client in another process reads slowly among five fast ones in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { LiveCapture, type PacketBatch } from '@nicscope/pcap';
import { WS_CLOSE } from '@nicscope/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientSession } from '../../apps/api/src/live/fanout.js';
import { Topology } from '../support/netns.js';
import { TestClient, startTestApi, udpFrameHex, type TestApi } from './support.js';

const FRAMES = 20_000;

describe(ClientSession.name, () => {
  const topo = new Topology();
  let t: TestApi;
  let cap: LiveCapture;
  let slow: ChildProcess | undefined;
  let captured = 0;

  beforeAll(async () => {
    t = await startTestApi({
      NICSCOPE_LIVE_QUEUE: '16',
      NICSCOPE_LIVE_SLOW_CLOSE_MS: '1000',
      NICSCOPE_LIVE_RAW_MAX_BYTES: '2048',
    });
  });

  afterAll(async () => {
    if (slow && slow.exitCode === null) slow.kill('SIGKILL');
    cap?.close();
    await t?.close();
    await topo.destroy();
  });

  it('delivers every frame to fast clients at the offered rate while a slow one gets lost messages and is closed', async () => {
    const ns = await topo.netns('slow');
    const [root, inner] = await topo.veth(null, ns);
    await ns.noOffload(inner.name);
    cap = LiveCapture.open({ device: root.name, promisc: false, timeoutMs: 20, bufferSize: 64 << 20 });
    cap.start((b: PacketBatch) => {
      captured += b.count;
      if (t.bus.wantsFrames)
        t.bus.publishFrames({
          iface: root.name,
          linkType: cap.linkType,
          buf: b.buf,
          view: b.view,
          count: b.count,
          byteLength: b.byteLength,
        });
    });
    const sub = { type: 'subscribe', id: 's', streams: ['frames'], filter: 'udp and dst port 6000' };
    const fast = await Promise.all(Array.from({ length: 5 }, () => TestClient.connect(t.wsUrl, t.adminToken)));
    for (const c of fast) c.send(sub);
    await Promise.all(fast.map((c) => c.until((x) => x.of('subscribed').length === 1, 5000, 'subscribed')));

    const lines: string[] = [];
    slow = spawn(
      process.execPath,
      [join(__dirname, 'slow-client.mjs'), t.wsUrl, t.adminToken, JSON.stringify({ ...sub, raw: true }), '100'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let buf = '';
    slow.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
    });
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('"subscribed"')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(lines.some((l) => l.includes('"subscribed"'))).toBe(true);

    // up to ~10k frames/s (the sender's pace) of 1.4 kB UDP frames to the filtered port
    const started = Date.now();
    await ns.sendRaw(inner.name, [udpFrameHex(5555, 6000, 1400)], { repeat: FRAMES, gapUs: 50 });
    const sendS = (Date.now() - started) / 1000;
    await Promise.all(fast.map((c) => c.until((x) => x.frames >= FRAMES, 30_000, `${FRAMES} frames`))).catch(
      (e: Error) =>
        console.log(
          `fast clients: ${e.message.slice(0, 60)}; frames ${fast.map((c) => c.frames).join(',')}, captured ${captured}, stats ${JSON.stringify(cap.stats())}, bus errors ${t.bus.listenerErrors} ${String(t.bus.lastListenerError)}`,
        ),
    );
    const elapsedS = (Date.now() - started) / 1000;

    // Once the server has closed the slow client, let it read its backlog quickly to reach the close frame.
    const fanout = t.api.live.fanout;
    const until = Date.now() + 30_000;
    while (fanout.stats.closedSlow === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    slow.stdin!.write('fast\n');
    const exit = new Promise<void>((r) => (slow!.exitCode !== null ? r() : slow!.once('exit', () => r())));
    await Promise.race([exit, new Promise((r) => setTimeout(r, 15_000))]);

    console.log(
      `slow consumer: ${FRAMES} frames sent in ${sendS.toFixed(2)} s (${Math.round(FRAMES / sendS)}/s), fast clients done after ${elapsedS.toFixed(2)} s; slow client: ${lines.filter((l) => l.includes('"lost"')).length} lost messages, ${lines.at(-1) ?? ''}`,
    );
    for (const c of fast) {
      expect(c.frames).toBe(FRAMES);
      expect(c.of('lost')).toHaveLength(0);
      expect(c.closeCode).toBeUndefined();
    }
    // the fast ones kept pace with the sender: done shortly after it
    expect(elapsedS - sendS).toBeLessThan(5);
    expect(captured).toBeGreaterThanOrEqual(FRAMES);
    expect(cap.stats().drop).toBe(0);

    const lost = lines
      .filter((l) => l.startsWith('{"type":"lost"'))
      .map((l) => JSON.parse(l) as { n: number; reason: string; total: number });
    const closed = lines
      .map((l) => JSON.parse(l) as { close?: number; reason?: string })
      .find((x) => x.close !== undefined);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((l) => l.reason === 'queue' && l.n > 0)).toBe(true);
    expect(closed?.close).toBe(WS_CLOSE.tooSlow);
    expect(closed?.reason).toMatch(/client too slow: queue full for \d+ ms, \d+ lost/);
    expect(t.api.live.fanout.stats.closedSlow).toBe(1);
    expect(t.api.live.fanout.stats.lostQueue).toBeGreaterThan(0);
    for (const c of fast) c.close();
  }, 120_000);
});
