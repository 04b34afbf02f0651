// Needs root: creates a network namespace and a veth pair, captures on the root end with libpcap.
import { LiveCapture, type PacketBatch } from '@nicscope/pcap';
import { WS_CLOSE, WS_TOKEN_PROTOCOL_PREFIX } from '@nicscope/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LiveGateway } from '../../apps/api/src/live/live.gateway.js';
import { Topology, type Netns } from '../support/netns.js';
import { TestClient, startTestApi, tcpSynHex, udpFrameHex, type TestApi } from './support.js';

describe(LiveGateway.name, () => {
  const topo = new Topology();
  let t: TestApi;
  let ns: Netns;
  let nsDev: string;
  let rootDev: string;
  let cap: LiveCapture;

  beforeAll(async () => {
    t = await startTestApi({ NICSCOPE_LIVE_PING_S: '1' });
    ns = await topo.netns('live');
    const [root, inner] = await topo.veth(null, ns);
    rootDev = root.name;
    nsDev = inner.name;
    cap = LiveCapture.open({ device: rootDev, promisc: false, timeoutMs: 20 });
    cap.start((b: PacketBatch) => {
      if (t.bus.wantsFrames)
        t.bus.publishFrames({
          iface: rootDev,
          linkType: cap.linkType,
          buf: b.buf,
          view: b.view,
          count: b.count,
          byteLength: b.byteLength,
        });
    });
  });

  afterAll(async () => {
    cap?.close();
    await t?.close();
    await topo.destroy();
  });

  it('delivers exactly the captured frames sent to the filtered UDP port, and nothing else', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    await c.until((x) => x.of('hello').length === 1, 5000, 'hello');
    c.send({
      type: 'subscribe',
      id: 'u5000',
      streams: ['frames'],
      interfaces: [rootDev],
      filter: 'udp and dst port 5000',
    });
    await c.until((x) => x.of('subscribed').length === 1, 5000, 'subscribed');
    const frames: string[] = [];
    for (let i = 0; i < 30; i++) {
      frames.push(udpFrameHex(4000 + i, 5000, 10 + i));
      frames.push(udpFrameHex(4000 + i, 5001, 10 + i));
      frames.push(tcpSynHex(4000 + i, 5000));
    }
    await ns.sendRaw(nsDev, frames);
    await c.until((x) => x.frames >= 30, 10_000, '30 frames');
    await new Promise((r) => setTimeout(r, 300)); // anything extra would arrive by now
    const got = c.of('frames').flatMap((m) => m.frames);
    expect(got).toHaveLength(30);
    expect(got.every((f) => f.dport === 5000 && f.proto === 'UDP' && f.iface === rootDev)).toBe(true);
    expect(got.map((f) => f.sport)).toEqual(Array.from({ length: 30 }, (_, i) => 4000 + i));
    expect(got[0]!.summary).toBe(
      '02:aa:00:00:00:01 > 02:aa:00:00:00:02, IP 10.200.9.1.4000 > 10.200.9.2.5000: UDP, length 10, length 52',
    );
    expect(got.every((f) => f.raw === undefined)).toBe(true);
    c.close();
  });

  it('answers a bad filter with libpcap error text and keeps the connection', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    c.send({ type: 'subscribe', id: 'bad', streams: ['frames'], filter: 'udp port 99999' });
    await c.until((x) => x.of('error').length === 1, 5000, 'error');
    const e = c.of('error')[0]!;
    expect(e.code).toBe('bad_filter');
    expect(e.id).toBe('bad');
    expect(e.reason).toMatch(/port 99999/i);
    c.send({ type: 'subscribe', id: 'bad2', streams: ['frames'], filter: 'udp and and' });
    await c.until((x) => x.of('error').length === 2, 5000, 'second error');
    expect(c.of('error')[1]!.reason).toMatch(/syntax error/);
    c.send({ type: 'ping', t: 7 });
    await c.until((x) => x.of('pong').length === 1, 5000, 'pong');
    expect(c.of('pong')[0]!.t).toBe(7);
    expect(c.closeCode).toBeUndefined();
    c.close();
  });

  it('answers malformed JSON, unknown messages and oversized fields with reasons, never crashing', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    c.send('{"type":"subscribe",');
    c.send('{"type":"launch"}');
    c.send({ type: 'subscribe', id: 'x', streams: ['frames'], maxRate: -3 });
    c.send({ type: 'subscribe', id: "x'; DROP TABLE flows; --", streams: ['frames'] });
    c.send({ type: 'subscribe', id: 'y', streams: ['nope'] });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.until((x) => x.of('error').length === 6, 5000, '6 errors');
    const codes = c.of('error').map((e) => e.code);
    expect(codes).toEqual(['bad_json', 'bad_message', 'bad_message', 'bad_message', 'bad_message', 'bad_message']);
    expect(c.of('error')[0]!.reason).toMatch(/malformed JSON/);
    expect(c.of('error')[2]!.reason).toMatch(/maxRate/);
    expect(c.of('error')[3]!.reason).toMatch(/^id:/);
    c.send({ type: 'ping' });
    await c.until((x) => x.of('pong').length === 1, 5000, 'pong');
    c.close();
  });

  it('carries several subscriptions per connection, raw bytes capped, and stops one on unsubscribe', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    c.send({
      type: 'subscribe',
      id: 'a',
      streams: ['frames'],
      interfaces: ['nsc*'],
      filter: 'udp port 6001',
      raw: true,
    });
    c.send({ type: 'subscribe', id: 'b', streams: ['frames'], interfaces: [rootDev], filter: 'udp port 6002' });
    c.send({ type: 'subscribe', id: 'a', streams: ['frames'] });
    await c.until((x) => x.of('subscribed').length === 2 && x.of('error').length === 1, 5000, 'subscriptions');
    expect(c.of('error')[0]!.code).toBe('duplicate_id');
    await ns.sendRaw(nsDev, [udpFrameHex(1, 6001, 400), udpFrameHex(1, 6002), udpFrameHex(1, 6003)]);
    await c.until((x) => x.frames >= 2, 5000, 'frames for a and b');
    const byId = (id: string): Array<{ dport?: number; raw?: string; rawTruncated?: boolean; caplen: number }> =>
      c
        .of('frames')
        .filter((m) => m.id === id)
        .flatMap((m) => m.frames);
    expect(byId('a').map((f) => f.dport)).toEqual([6001]);
    expect(byId('b').map((f) => f.dport)).toEqual([6002]);
    const raw = Buffer.from(byId('a')[0]!.raw!, 'base64');
    expect(raw.length).toBe(t.config.live.rawMaxBytes);
    expect(byId('a')[0]!.rawTruncated).toBe(true);
    expect(raw.subarray(0, 6).toString('hex')).toBe('02aa00000002');
    expect(byId('b')[0]!.raw).toBeUndefined();
    c.send({ type: 'unsubscribe', id: 'a' });
    c.send({ type: 'unsubscribe', id: 'zz' });
    await c.until((x) => x.of('unsubscribed').length === 1 && x.of('error').length === 2, 5000, 'unsubscribed');
    await ns.sendRaw(nsDev, [udpFrameHex(2, 6001), udpFrameHex(2, 6002)]);
    await c.until((x) => x.frames >= 3, 5000, 'frame for b');
    await new Promise((r) => setTimeout(r, 200));
    expect(byId('a')).toHaveLength(1);
    expect(byId('b')).toHaveLength(2);
    c.close();
  });

  it('builds no frame summary while no subscription matches', async () => {
    const fanout = t.api.live.fanout;
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    c.send({ type: 'subscribe', id: 'none', streams: ['frames'], filter: 'udp port 7777' });
    await c.until((x) => x.of('subscribed').length === 1, 5000, 'subscribed');
    const before = fanout.summariesBuilt;
    await ns.sendRaw(
      nsDev,
      Array.from({ length: 50 }, (_, i) => udpFrameHex(i, 7000)),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(fanout.summariesBuilt).toBe(before);
    expect(c.frames).toBe(0);
    c.close();
  });

  it('refuses the handshake without a valid token (401) and accepts the token as a subprotocol', async () => {
    await expect(TestClient.connect(t.wsUrl, undefined)).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(t.wsUrl, 'nsc_00000000_' + 'A'.repeat(43))).rejects.toThrow('HTTP 401');
    const ws = new WebSocket(t.wsUrl, ['nicscope', `${WS_TOKEN_PROTOCOL_PREFIX}${t.adminToken}`]);
    const proto = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => resolve(ws.protocol));
      ws.once('error', reject);
    });
    expect(proto).toBe('nicscope');
    ws.close();
  });

  it('sends flows, OVS rates, health and alerts only to matching subscriptions', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken);
    c.send({ type: 'subscribe', id: 'f', streams: ['flows', 'alerts'], interfaces: ['eth1'] });
    c.send({ type: 'subscribe', id: 'h', streams: ['health', 'ovs'] });
    await c.until((x) => x.of('subscribed').length === 2, 5000, 'subscribed');
    const flow = (iface: string): Parameters<typeof t.bus.publishFlows>[0][number] => ({
      iface,
      flowId: '1',
      proto: 17,
      vlan: 0,
      srcAddr: '10.200.0.1',
      dstAddr: '10.200.0.2',
      etherType: 0,
      srcMac: '02:00:00:00:00:01',
      dstMac: '02:00:00:00:00:02',
      srcPort: 1,
      dstPort: 2,
      packetsA: 3,
      bytesA: 300,
      packetsB: 0,
      bytesB: 0,
      firstSeenMs: 1,
      lastSeenMs: 2,
      state: 'interim',
    });
    t.bus.publishFlows([flow('eth1'), flow('eth2')]);
    t.bus.publishAlert({
      name: 'syn_flood',
      state: 'firing',
      severity: 'critical',
      iface: 'eth2',
      summary: 'x',
      labels: {},
      atMs: 1,
    });
    t.bus.publishAlert({
      name: 'syn_flood',
      state: 'firing',
      severity: 'critical',
      iface: 'eth1',
      summary: 'y',
      labels: {},
      atMs: 2,
    });
    t.bus.publishHealth({
      collector: 'c1',
      atMs: Date.now(),
      captures: [],
      flowsActive: 1,
      flowsEvicted: 0,
      batchRows: 0,
      batches: 0,
      batchLatencyMs: 0,
      spoolBytes: 0,
    });
    t.bus.publishOvs([
      {
        bridge: 'br0',
        datapath: 'netdev@ovs-netdev',
        intervalMs: 1000,
        hitsPerS: 9,
        missesPerS: 1,
        lostPerS: 0,
        hitRate: 0.9,
        flows: 3,
        tiers: {},
        counterResets: 0,
      },
    ]);
    await c.until(
      (x) =>
        x.of('flows').length === 1 &&
        x.of('alert').length === 1 &&
        x.of('health').length === 1 &&
        x.of('ovs').length === 1,
      5000,
      'all streams',
    );
    expect(c.of('flows')[0]!.flows.map((f) => f.iface)).toEqual(['eth1']);
    expect(c.of('alert')[0]!.alert.summary).toBe('y');
    expect(c.of('health')[0]!.id).toBe('h');
    expect(c.of('ovs')[0]!.rates[0]!.hitRate).toBe(0.9);
    c.close();
  });

  it('closes a client that stops answering pings', async () => {
    const c = await TestClient.connect(t.wsUrl, t.adminToken, { autoPong: false });
    await c.until((x) => x.closeCode !== undefined, 8000, 'keepalive close');
    expect(c.closeCode).toBe(WS_CLOSE.keepalive);
    expect(c.closeReason).toBe('no pong');
  });
});
