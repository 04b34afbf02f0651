// Needs root: namespaces, a Linux bridge, veth pairs, private OVS daemons, tcpdump and tshark.
// The real collector (`nicscope start --no-api`) runs inside a "host" namespace whose interfaces it
// discovers itself; traffic crosses a Linux bridge and an OVS netdev bridge; then the rows in the
// embedded ClickHouse (chDB) are compared with tshark's view of the same traffic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsharkConv, type ConvRow } from '../decode/tshark.js';
import { sleep, waitExit, waitFor } from '../support/exec.js';
import { Topology, type Netns } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { CollectorProcess } from './harness.js';

const TRAFFIC = join(__dirname, 'traffic.py');
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

interface Net {
  host: Netns;
  a: Netns;
  b: Netns;
  c: Netns;
  d: Netns;
  br: string;
  hA: string;
  hB: string;
  hC: string;
  hD: string;
}

async function listening(ns: Netns, proto: 'u' | 't', port: number): Promise<boolean> {
  // UDP sockets are UNCONN, not LISTEN: `-a` shows them.
  const { stdout } = await ns.exec(['ss', proto === 'u' ? '-nua' : '-lnt']);
  return stdout.includes(`:${port} `);
}

describe('collector pipeline', () => {
  const topo = new Topology();
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-collector-'));
  const pcap = join(dir, 'hA.pcap');
  let ovs: OvsDaemons;
  let net: Net;
  let collector: CollectorProcess;
  let ch: ClickHouseClient;
  let exitCode: number | null;
  let promiscDuring = 0;
  let ovsShow = '';
  /** Promiscuity before the collector started (bridge and OVS ports are promiscuous by their switch). */
  const promiscBefore = new Map<string, number>();

  beforeAll(async () => {
    const host = await topo.netns('host');
    const [a, b, c, d] = [await topo.netns('a'), await topo.netns('b'), await topo.netns('c'), await topo.netns('d')];
    // No IPv6 where OVS switches: router solicitations and MLD reports at random moments would move
    // the datapath counters between the collector's last sample and the ovs-appctl reading.
    for (const ns of [host, c, d]) {
      await ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await ns.exec(['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    const br = await host.bridge('br');
    const [a0, hA] = await topo.veth(a, host, ['a0', 'ha']);
    const [b0, hB] = await topo.veth(b, host, ['b0', 'hb']);
    await host.setMaster(hA.name, br);
    await host.setMaster(hB.name, br);
    await a.addr(a0.name, '10.200.7.1/24');
    await b.addr(b0.name, '10.200.7.2/24');
    ovs = await startOvs(host);
    await ovs.addBridge('obr');
    const [c0, hC] = await topo.veth(c, host, ['c0', 'hc']);
    const [d0, hD] = await topo.veth(d, host, ['d0', 'hd']);
    await ovs.addPort('obr', hC.name);
    await ovs.addPort('obr', hD.name, '--', 'set', 'Interface', hD.name, 'external_ids:vm-uuid=4f1c-vm-d');
    await c.addr(c0.name, '10.200.8.1/24');
    await d.addr(d0.name, '10.200.8.2/24');
    for (const [ns, dev] of [
      [a, a0.name],
      [b, b0.name],
      [c, c0.name],
      [d, d0.name],
      [host, hA.name],
      [host, hB.name],
      [host, hC.name],
      [host, hD.name],
    ] as const)
      await ns.noOffload(dev);
    net = { host, a, b, c, d, br, hA: hA.name, hB: hB.name, hC: hC.name, hD: hD.name };

    for (const dev of [net.hA, net.hB, net.hC, net.hD, net.br]) promiscBefore.set(dev, await host.promiscuity(dev));
    // The reference capture on the same interface during the same traffic.
    const tcpdump = host.spawn(['tcpdump', '-i', net.hA, '-B', '16384', '-s', '2048', '-U', '-n', '-w', pcap]);
    let tdErr = '';
    tcpdump.stderr?.on('data', (x: Buffer) => (tdErr += x.toString()));
    await waitFor(() => tdErr.includes('listening on'), 'tcpdump to listen');

    collector = CollectorProcess.start(host, {
      NICSCOPE_DATA_DIR: join(dir, 'data'),
      NICSCOPE_FLOW_INTERIM_S: '2',
      NICSCOPE_FLOW_IDLE_TIMEOUT_S: '60',
      NICSCOPE_FRAME_SAMPLE_RATE: '1',
      NICSCOPE_FLUSH_INTERVAL_MS: '500',
      NICSCOPE_OVS_RUNDIR: ovs.dir,
      NICSCOPE_OVS_INTERVAL_S: '1',
      NICSCOPE_COLLECTOR_NAME: 'e2e-host',
    });
    await collector.waitCapturing([net.hA, net.hB, net.hC, net.hD, net.br], 60_000);
    promiscDuring = await host.promiscuity(net.hA); // tcpdump's membership and ours

    // Traffic: UDP, TCP and ICMP across the Linux bridge; UDP across OVS.
    b.spawn(['python3', TRAFFIC, 'udp-sink', '5001']);
    b.spawn(['python3', TRAFFIC, 'tcp-sink', '5002']);
    d.spawn(['python3', TRAFFIC, 'udp-sink', '6001']);
    await waitFor(() => listening(b, 'u', 5001), 'udp sink in b', 30_000);
    await waitFor(() => listening(b, 't', 5002), 'tcp sink in b', 30_000);
    await waitFor(() => listening(d, 'u', 6001), 'udp sink in d', 30_000);
    await a.exec(['python3', TRAFFIC, 'udp-send', '10.200.7.2', '5001', '40', '200']);
    await a.exec(['python3', TRAFFIC, 'tcp-send', '10.200.7.2', '5002', '30000']);
    await a.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.200.7.2']);
    await c.exec(['python3', TRAFFIC, 'udp-send', '10.200.8.2', '6001', '30', '120']);
    await sleep(3000); // an interim report (2 s) happens while flows are open
    tcpdump.kill('SIGINT');
    await waitExit(tcpdump);
    exitCode = await collector.stop('SIGINT');
    ovsShow = (await ovs.appctl('dpctl/show', '-s')).stdout;
    // chdb types its Connection against its own copy of client-common; the shapes are the same.
    const connection = createChdbConnection({ path: join(dir, 'data', 'chdb') }) as unknown as ClientConnection;
    ch = createClient({ connection });
  }, 240_000);

  afterAll(async () => {
    await ch?.close();
    await ovs?.stop();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    // chDB's connection does not apply the client's `database`: name it in the query.
    const q = query.replace(
      /\bFROM (flows|frames|inventory|interface_counters|collector_health|flows_1m|flows_1h|ovs_\w+)\b/g,
      'FROM nicscope.$1',
    );
    const r = await ch.query({ query: q, query_params: params, format: 'JSONEachRow' });
    return r.json<T>();
  }

  it('stops on SIGINT with exit 0, flows flushed, and no interface left promiscuous', async () => {
    expect(exitCode, `signal ${collector.child.signalCode}; stderr ends: ${collector.stderr.slice(-3000)}`).toBe(0);
    expect(collector.has('collector stopped: flows flushed and written, no capture left')).toBe(true);
    // The capture added one to the promiscuity count (tcpdump another) (the packet socket's membership) …
    expect(promiscDuring).toBe(promiscBefore.get(net.hA)! + 2);
    // … and the kernel took it back when the capture closed.
    for (const dev of [net.hA, net.hB, net.hC, net.hD, net.br])
      expect(await net.host.promiscuity(dev), dev).toBe(promiscBefore.get(dev));
  });

  interface ConvSql {
    src: string;
    sport: number;
    dst: string;
    dport: number;
    pf: string;
    bf: string;
    pr: string;
    br: string;
  }

  /** Our flows on an interface, summed per conversation (deltas of every record of each flow). */
  function convs(iface: string, proto: number): Promise<ConvSql[]> {
    return rows<ConvSql>(
      `SELECT replaceRegexpOne(IPv6NumToString(src_ip), '^::ffff:', '') AS src, src_port AS sport,
              replaceRegexpOne(IPv6NumToString(dst_ip), '^::ffff:', '') AS dst, dst_port AS dport,
              sum(packets_delta_fwd) AS pf, sum(bytes_delta_fwd) AS bf, sum(packets_delta_rev) AS pr, sum(bytes_delta_rev) AS br
       FROM flows WHERE iface = {iface:String} AND proto = {proto:UInt8} AND collector = 'e2e-host'
       GROUP BY src, sport, dst, dport`,
      { iface, proto },
    );
  }

  function compare(ours: ConvSql[], theirs: ConvRow[], withPorts: boolean): void {
    expect(ours.length).toBe(theirs.length);
    for (const t of theirs) {
      const ep = (addr: string, port: number): string => (withPorts ? `${addr}:${port}` : addr);
      const o = ours.find(
        (x) =>
          (ep(x.src, x.sport) === t.a && ep(x.dst, x.dport) === t.b) ||
          (ep(x.src, x.sport) === t.b && ep(x.dst, x.dport) === t.a),
      );
      expect(o, `conversation ${t.a} <-> ${t.b}`).toBeDefined();
      const aIsSrc = ep(o!.src, o!.sport) === t.a;
      const fromA = aIsSrc ? { p: Number(o!.pf), b: Number(o!.bf) } : { p: Number(o!.pr), b: Number(o!.br) };
      const fromB = aIsSrc ? { p: Number(o!.pr), b: Number(o!.br) } : { p: Number(o!.pf), b: Number(o!.bf) };
      expect(fromA.p, `${t.a} -> ${t.b} frames`).toBe(t.fromA.frames);
      expect(fromB.p, `${t.b} -> ${t.a} frames`).toBe(t.fromB.frames);
      if (t.fromA.bytes !== undefined) expect(fromA.b, `${t.a} -> ${t.b} bytes`).toBe(t.fromA.bytes);
      if (t.fromB.bytes !== undefined) expect(fromB.b, `${t.b} -> ${t.a} bytes`).toBe(t.fromB.bytes);
    }
  }

  it('stores UDP and TCP conversations whose packets and bytes per direction equal tshark on the same interface', async () => {
    const udp = await tsharkConv(pcap, 'udp');
    const tcp = await tsharkConv(pcap, 'tcp');
    expect(udp.length).toBeGreaterThanOrEqual(1);
    expect(tcp.length).toBe(1);
    expect(tcp[0]!.fromA.frames + tcp[0]!.fromB.frames).toBeGreaterThan(20);
    compare(await convs(net.hA, 17), udp, true);
    compare(await convs(net.hA, 6), tcp, true);
    compare(await convs(net.hA, 1), await tsharkConv(pcap, 'ip', 'icmp'), false);
  });

  it('keeps TCP metrics and interim records of a flow under one flow id', async () => {
    const tcp = await rows<{
      records: string;
      interim: string;
      finals: string;
      rtt: number;
      flags: number;
      reason: string;
    }>(
      `SELECT count() AS records, countIf(record_type = 'interim') AS interim, countIf(record_type = 'final') AS finals,
              max(rtt_us) AS rtt, groupBitOr(tcp_flags_fwd) AS flags, anyLast(end_reason) AS reason
       FROM flows WHERE iface = {iface:String} AND proto = 6 GROUP BY flow_id`,
      { iface: net.hA },
    );
    expect(tcp).toHaveLength(1);
    expect(Number(tcp[0]!.finals)).toBe(1);
    expect(tcp[0]!.rtt).toBeGreaterThan(0);
    expect(tcp[0]!.flags & 0x02).toBe(0x02); // SYN from the initiator
  });

  it('stores the OVS port traffic as flows on the OVS ports', async () => {
    const udp = await convs(net.hC, 17);
    const toD = udp.find((u) => u.dst === '10.200.8.2' && u.dport === 6001);
    expect(Number(toD?.pf)).toBe(30);
  });

  it('classifies sampled frames by receive mode', async () => {
    const modes = await rows<{ rx_mode: string; n: string }>(
      `SELECT rx_mode, count() AS n FROM frames WHERE iface = {iface:String} GROUP BY rx_mode ORDER BY rx_mode`,
      { iface: net.hA },
    );
    const byMode = Object.fromEntries(modes.map((m) => [m.rx_mode, Number(m.n)]));
    // hA belongs to the bridge: unicast between a and b is not addressed to hA's own MAC.
    expect(byMode.promisc).toBeGreaterThan(40);
    expect(byMode.broadcast ?? 0).toBeGreaterThanOrEqual(1); // ARP request
  });

  it('writes inventory rows naming the bridge, its ports and their veth peers', async () => {
    const inv = await rows<{ iface: string; kind: string; master: string; peer: string; peer_netns: string }>(
      `SELECT iface, kind, master, peer, peer_netns FROM inventory WHERE collector = 'e2e-host'
       ORDER BY ts DESC LIMIT 1 BY iface`,
    );
    const byName = new Map(inv.map((i) => [i.iface, i]));
    expect(byName.get(net.br)?.kind).toBe('bridge');
    expect(byName.get(net.hA)).toMatchObject({ kind: 'veth', master: net.br });
    expect(byName.get(net.hA)!.peer_netns || byName.get(net.hA)!.peer).not.toBe('');
    expect(byName.get(net.hC)?.kind).toBe('veth');
  });

  it('keeps interface counters and collector health with zero kernel drops', async () => {
    const c = await rows<{ rcv: string; drop: string }>(
      `SELECT max(capture_received) AS rcv, max(capture_dropped_kernel) AS drop FROM interface_counters WHERE iface = {iface:String}`,
      { iface: net.hA },
    );
    expect(Number(c[0]!.rcv)).toBeGreaterThan(40);
    expect(Number(c[0]!.drop)).toBe(0);
    const h = await rows<{ n: string; drops: string }>(
      `SELECT count() AS n, max(kernel_drops) AS drops FROM collector_health WHERE collector = 'e2e-host'`,
    );
    expect(Number(h[0]!.n)).toBeGreaterThan(0);
    expect(Number(h[0]!.drops)).toBe(0);
  });

  it('stores OVS datapath counters equal to ovs-appctl dpctl/show at shutdown, and the fastpath ratio of each interval', async () => {
    const m = /lookups: hit:(\d+) missed:(\d+) lost:(\d+)/.exec(ovsShow);
    expect(m).not.toBeNull();
    const dp = await rows<{ hit: string; missed: string; lost: string; n: string; ratio: number | null }>(
      `SELECT max(lookups_hit) AS hit, max(lookups_missed) AS missed, max(lookups_lost) AS lost, count() AS n,
              maxIf(hit_ratio, NOT isNaN(hit_ratio)) AS ratio
       FROM ovs_datapath WHERE collector = 'e2e-host' AND datapath LIKE '%ovs-netdev'`,
    );
    expect(Number(dp[0]!.n)).toBeGreaterThan(1);
    expect([Number(dp[0]!.hit), Number(dp[0]!.missed), Number(dp[0]!.lost)]).toEqual([
      Number(m![1]),
      Number(m![2]),
      Number(m![3]),
    ]);
    // 30 packets of one UDP flow: after the first upcalls the rest hit the datapath cache.
    expect(dp[0]!.ratio).toBeGreaterThan(0.5);
    const ports = await rows<{ interface: string; external_ids: string }>(
      `SELECT interface, any(external_ids) AS external_ids FROM ovs_ports WHERE collector = 'e2e-host' GROUP BY interface`,
    );
    const d = ports.find((p) => p.interface === net.hD);
    expect(JSON.parse(d!.external_ids)).toMatchObject({ owner_id: '4f1c-vm-d' });
  });

  it('rolls flows up by minute and hour in agreement with the raw rows', async () => {
    const raw = await rows<{ p: string; b: string }>(
      `SELECT sum(packets_delta_fwd + packets_delta_rev) AS p, sum(bytes_delta_fwd + bytes_delta_rev) AS b FROM flows WHERE collector = 'e2e-host'`,
    );
    for (const t of ['flows_1m', 'flows_1h']) {
      const r = await rows<{ p: string; b: string }>(
        `SELECT sum(packets) AS p, sum(bytes) AS b FROM nicscope.${t} WHERE collector = 'e2e-host'`,
      );
      expect(r[0], t).toEqual(raw[0]);
    }
  });
});
