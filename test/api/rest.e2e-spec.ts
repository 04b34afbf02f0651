// REST over real chDB: tables created by libs/storage's migrations, rows inserted with the client
// (rollups by libs/storage's FlowRollups, as the writer makes them),
// answers compared with the same SQL run directly. Real HTTP on 127.0.0.1.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- JSON answer bodies are inspected loosely */
import { type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouse, createRowBuilder, FlowRollups, flows as flowsTable, MIGRATIONS, migrate } from '@nicscope/storage';
import { FlowsController } from '../../apps/api/src/flows/flows.controller.js';
import { ClickHouseAdapter } from '../../apps/api/src/storage/clickhouse.adapter.js';
import { openChdb, startTestApi, type TestApi } from './support.js';
import { suiteDir } from '../support/tmp.js';

const NOW = Date.now();
const T0 = Math.floor((NOW - 3_600_000) / 300_000) * 300_000; // a 5-minute boundary an hour or so ago
const ns = (ms: number): string => `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
const v4 = (a: string): string => `::ffff:${a}`;

interface FlowRow {
  i: number;
  iface: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  vlan?: number;
  pf: number;
  bf: number;
  pr: number;
  br: number;
  atMs: number;
  final?: boolean;
}

function flowRow(r: FlowRow): Record<string, unknown> {
  return {
    ts: ns(r.atMs),
    collector: 'host-a',
    record_type: r.final ? 'final' : 'interim',
    flow_id: String(r.i),
    iface: r.iface,
    vlan: r.vlan ?? 0,
    tunnel_type: '',
    tunnel_id: 0,
    proto: r.proto,
    src_ip: v4(r.src),
    src_port: r.sport,
    dst_ip: v4(r.dst),
    dst_port: r.dport,
    src_mac: 0,
    dst_mac: 0,
    packets_fwd: r.pf,
    bytes_fwd: r.bf,
    packets_rev: r.pr,
    bytes_rev: r.br,
    packets_delta_fwd: r.pf,
    bytes_delta_fwd: r.bf,
    packets_delta_rev: r.pr,
    bytes_delta_rev: r.br,
    first_ts: ns(r.atMs - 1000),
    last_ts: ns(r.atMs),
    tcp_flags_fwd: 0,
    tcp_flags_rev: 0,
    rtt_us: 0,
    retransmits: 0,
    end_reason: r.final ? 'idle' : '',
  };
}

describe(FlowsController.name, () => {
  let t: TestApi;
  let ch: ClickHouseClient;
  let storage: ClickHouse;
  let viewer: string;
  let adapter: ClickHouseAdapter;
  const dir = suiteDir('nicscope-rest');

  const get = async (path: string, token: string | null = t.adminToken): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${t.api.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  };

  beforeAll(async () => {
    // libs/storage's own connection runs the migrations; the API gets a client over the same chDB folder.
    storage = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 30_000, dataDir: dir });
    await migrate(
      storage,
      { database: 'nicscope', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 },
      { collector: 'test', migrations: MIGRATIONS },
    );
    ch = await openChdb(dir);
    t = await startTestApi(
      { NICSCOPE_API_MAX_RANGE_DAYS: '2', NICSCOPE_API_MAX_ROWS: '500', NICSCOPE_API_RATE_LIMIT: '60' },
      ch,
    );
    adapter = t.api.app.get(ClickHouseAdapter);
    const rows: FlowRow[] = [];
    let i = 0;
    // 40 flows over 20 minutes on two interfaces, three protocols, a few heavy talkers.
    for (let m = 0; m < 20; m++) {
      rows.push({
        i: i++,
        iface: 'vethA',
        src: '10.200.1.1',
        dst: '10.200.1.2',
        sport: 40000 + m,
        dport: 53,
        proto: 17,
        pf: 1,
        bf: 80,
        pr: 1,
        br: 120,
        atMs: T0 + m * 60_000 + 5000,
        final: true,
      });
      rows.push({
        i: i++,
        iface: m % 2 ? 'vethB' : 'vethA',
        src: '10.200.1.3',
        dst: '10.200.1.2',
        sport: 50000,
        dport: 443,
        proto: 6,
        vlan: 10,
        pf: 10 + m,
        bf: 1500 * (10 + m),
        pr: 5,
        br: 300,
        atMs: T0 + m * 60_000 + 7000,
      });
    }
    rows.push({
      i,
      iface: 'vethB',
      src: '10.200.1.9',
      dst: '10.200.1.3',
      sport: 0,
      dport: 0,
      proto: 1,
      pf: 3,
      bf: 294,
      pr: 3,
      br: 294,
      atMs: T0 + 30_000,
      final: true,
    });
    await ch.insert({ table: 'nicscope.flows', values: rows.map(flowRow), format: 'JSONEachRow' });
    // The rollups as the storage writer makes them from each flows batch (libs/storage FlowRollups).
    const b = createRowBuilder(flowsTable, rows.length);
    for (const r of rows)
      b.append({
        ts: BigInt(r.atMs) * 1_000_000n,
        collector: 'host-a',
        record_type: r.final ? 'final' : 'interim',
        iface: r.iface,
        vlan: r.vlan ?? 0,
        proto: r.proto,
        src_ip: r.src,
        dst_ip: r.dst,
        packets_delta_fwd: r.pf,
        bytes_delta_fwd: r.bf,
        packets_delta_rev: r.pr,
        bytes_delta_rev: r.br,
      });
    const rollups = new FlowRollups(rows.length, {
      database: 'nicscope',
      cluster: '',
      ttlRawDays: 7,
      ttlRollupDays: 90,
    });
    for (const d of rollups.derive(b, 'seed', true))
      await storage.insert(d.batch.table, d.batch.columns, d.batch.format, d.batch.payload, d.batch.token);
    const dp = (m: number, hit: number, miss: number): Record<string, unknown> => ({
      ts: ns(T0 + m * 10_000),
      collector: 'host-a',
      datapath: 'ovs-netdev',
      dp_type: 'netdev',
      lookups_hit: hit,
      lookups_missed: miss,
      lookups_lost: 0,
      flows: 4,
      masks_hit: 0,
      masks_total: 2,
      hit_ratio: 0,
      emc_hits: hit,
      smc_hits: 0,
      megaflow_hits: 0,
      upcalls: miss,
      upcalls_failed: 0,
      counter_resets: 0,
    });
    await ch.insert({
      table: 'nicscope.ovs_datapath',
      values: [dp(0, 100, 10), dp(1, 190, 20), dp(2, 5, 1), dp(3, 105, 1)],
      format: 'JSONEachRow',
    });
    const inv = (iface: string, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      ts: ns(T0),
      collector: 'host-a',
      snapshot_id: 2,
      netns: '',
      iface,
      ifindex: 1,
      kind,
      driver: kind === 'veth' ? 'veth' : '',
      mac: 0x02aa00000001,
      mtu: 1500,
      oper_state: 'up',
      master: '',
      peer: '',
      peer_netns: '',
      ovs_bridge: '',
      owner: '',
      addresses: '',
      ...extra,
    });
    await ch.insert({
      table: 'nicscope.inventory',
      values: [
        { ...inv('old0', 'veth'), snapshot_id: 1, ts: ns(T0 - 60_000) },
        inv('br0', 'bridge'),
        inv('vethA', 'veth', { master: 'br0', peer: 'eth0', peer_netns: 'ns1' }),
        inv('tap0', 'tap', { master: 'br0', owner: 'qemu:vm1' }),
        inv('vnet1', 'tap', { ovs_bridge: 'ovsbr', owner: 'qemu:vm2' }),
        inv('ovsbr', 'openvswitch', { ovs_bridge: 'ovsbr' }),
        inv('eth9', 'physical'),
      ],
      format: 'JSONEachRow',
    });
    const created = await fetch(`${t.api.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'viewer one', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    viewer = ((await created.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await t?.close();
    await ch?.close();
    await storage?.close();
  });

  it('answers 401 without or with a bad token, 403 for a viewer on an admin route, and serves health publicly', async () => {
    expect((await get('/api/v1/flows?from=' + T0, null)).status).toBe(401);
    const bad = await get('/api/v1/flows?from=' + T0, 'nsc_deadbeef_' + 'x'.repeat(43));
    expect(bad.status).toBe(401);
    expect(bad.body.reasons[0]).toMatch(/invalid or revoked token/);
    const forbidden = await get('/api/v1/tokens', viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.reasons[0]).toMatch(/role viewer/);
    expect((await get('/api/v1/tokens', t.adminToken)).status).toBe(200);
    expect((await get('/api/v1/flows?from=' + T0, viewer)).status).toBe(200);
    expect((await get('/healthz', null)).body).toEqual({ status: 'ok' });
  });

  it('returns top talkers equal to the same SQL run directly', async () => {
    const r = await get(`/api/v1/top/talkers?from=${T0}&to=${T0 + 30 * 60_000}&n=3`, viewer);
    expect(r.status).toBe(200);
    const direct = await (
      await ch.query({
        query: `SELECT replaceRegexpOne(toString(a), '^::ffff:', '') AS addr, sum(b) AS bytes FROM (
            SELECT src_ip AS a, bytes_delta_fwd + bytes_delta_rev AS b FROM nicscope.flows
            UNION ALL SELECT dst_ip AS a, bytes_delta_fwd + bytes_delta_rev AS b FROM nicscope.flows)
          GROUP BY addr ORDER BY bytes DESC, addr LIMIT 3`,
        format: 'JSONEachRow',
      })
    ).json<{ addr: string; bytes: string }>();
    expect(r.body.rows.map((x: { addr: string; bytes: string }) => [x.addr, Number(x.bytes)])).toEqual(
      direct.map((x) => [x.addr, Number(x.bytes)]),
    );
    expect(r.body.rows[0].addr).toBe('10.200.1.2');
    const protos = await get(`/api/v1/top/protocols?from=${T0}&by=packets`, viewer);
    expect(protos.body.rows.map((x: { proto: number }) => x.proto)).toEqual([6, 17, 1]);
    const conv = await get(`/api/v1/top/conversations?from=${T0}&proto=udp&n=5`, viewer);
    expect(
      conv.body.rows.map((x: Record<string, unknown>) => [
        x.srcAddr,
        x.dstAddr,
        Number(x.bytes),
        Number(x.packets),
        Number(x.flows),
      ]),
    ).toEqual([['10.200.1.1', '10.200.1.2', 4000, 40, 20]]);
  });

  it('filters and pages flows', async () => {
    const all = await get(`/api/v1/flows?from=${T0}&iface=vethA&proto=tcp&vlan=10&limit=3`, viewer);
    expect(all.status).toBe(200);
    expect(all.body.rows).toHaveLength(3);
    expect(
      all.body.rows.every(
        (f: any) => f.iface === 'vethA' && f.proto === 6 && f.vlan === 10 && f.srcAddr === '10.200.1.3',
      ),
    ).toBe(true);
    const page2 = await get(`/api/v1/flows?from=${T0}&iface=vethA&proto=tcp&vlan=10&limit=3&offset=3`, viewer);
    expect(page2.body.rows[0].tsMs).toBeLessThan(all.body.rows[2].tsMs);
    const byAddr = await get(`/api/v1/flows?from=${T0}&addr=10.200.1.9`, viewer);
    expect(byAddr.body.rows.map((f: any) => f.proto)).toEqual([1]);
    const byPort = await get(`/api/v1/flows?from=${T0}&port=53&limit=100`, viewer);
    expect(byPort.body.rows).toHaveLength(20);
  });

  it('shows a flow that is not IP by its EtherType and MACs, and an IP flow with its MACs', async () => {
    // Ten minutes before T0, on an interface of its own: outside every other test's range.
    const atMs = T0 - 600_000;
    const arp = {
      ...flowRow({
        i: 9001,
        iface: 'vethL2',
        src: '',
        dst: '',
        sport: 0,
        dport: 0,
        proto: 0,
        pf: 2,
        bf: 84,
        pr: 1,
        br: 42,
        atMs,
        final: true,
      }),
      src_ip: '::',
      dst_ip: '::',
      ether_type: 0x0806,
      src_mac: 0x0200 * 2 ** 32 + 0x0a0b0c0d,
      dst_mac: 0xffff * 2 ** 32 + 0xffffffff,
    };
    const ip = {
      ...flowRow({
        i: 9002,
        iface: 'vethL2',
        src: '10.200.1.1',
        dst: '10.200.1.2',
        sport: 1,
        dport: 2,
        proto: 17,
        pf: 1,
        bf: 60,
        pr: 0,
        br: 0,
        atMs: atMs + 1000,
        final: true,
      }),
      src_mac: 0x0200 * 2 ** 32 + 1,
    };
    await ch.insert({ table: 'nicscope.flows', values: [arp, ip], format: 'JSONEachRow' });
    const range = `from=${atMs - 60_000}&to=${T0}&iface=vethL2`;
    const r = await get(`/api/v1/flows?${range}`, viewer);
    expect(r.status).toBe(200);
    expect(r.body.rows.map((f: any) => [f.proto, f.etherType, f.srcAddr, f.dstAddr, f.srcMac, f.dstMac])).toEqual([
      [17, 0, '10.200.1.1', '10.200.1.2', '02:00:00:00:00:01', ''],
      [0, 0x0806, '', '', '02:00:0a:0b:0c:0d', 'ff:ff:ff:ff:ff:ff'],
    ]);
    // Talkers and conversations are IP addresses; the protocols count the non-IP flow as 0.
    expect((await get(`/api/v1/top/talkers?${range}`, viewer)).body.rows.map((x: any) => x.addr).sort()).toEqual([
      '10.200.1.1',
      '10.200.1.2',
    ]);
    expect((await get(`/api/v1/top/conversations?${range}`, viewer)).body.rows.map((x: any) => x.srcAddr)).toEqual([
      '10.200.1.1',
    ]);
    expect((await get(`/api/v1/top/protocols?${range}`, viewer)).body.rows.map((x: any) => x.proto).sort()).toEqual([
      0, 17,
    ]);
  });

  it('serves per-interface series from the 1-minute rollup that agree with the raw rows', async () => {
    const r = await get(`/api/v1/series?from=${T0}&to=${T0 + 20 * 60_000}&iface=vethA&step=300`, viewer);
    expect(r.status).toBe(200);
    expect(r.body.stepS).toBe(300);
    const total = r.body.rows.reduce((s: number, x: { bytes: string }) => s + Number(x.bytes), 0);
    const direct = await (
      await ch.query({
        query: `SELECT sum(bytes_delta_fwd + bytes_delta_rev) AS b FROM nicscope.flows WHERE iface = 'vethA'`,
        format: 'JSONEachRow',
      })
    ).json<{ b: string }>();
    expect(total).toBe(Number(direct[0]!.b));
    expect(r.body.rows).toHaveLength(4);
  });

  it('computes OVS datapath rates from cumulative counters and counts a counter reset', async () => {
    const r = await get(`/api/v1/ovs/datapath?from=${T0}&datapath=ovs-netdev`, viewer);
    expect(r.status).toBe(200);
    expect(r.body.counterResets).toBe(1);
    expect(r.body.rates).toHaveLength(2);
    expect(r.body.rates[0]).toMatchObject({
      datapath: 'ovs-netdev',
      hitsPerS: 9,
      missesPerS: 1,
      hitRate: 0.9,
      tiers: { emc: 9, upcall: 1 },
    });
    expect(r.body.rates[1]).toMatchObject({ hitsPerS: 10, missesPerS: 0, hitRate: 1 });
  });

  it('shows the latest inventory as interfaces and as a topology tree', async () => {
    const ifs = await get('/api/v1/interfaces', viewer);
    expect(ifs.body.map((x: { name: string }) => x.name).sort()).toEqual([
      'br0',
      'eth9',
      'ovsbr',
      'tap0',
      'vethA',
      'vnet1',
    ]);
    expect(ifs.body[0].mac).toBe('02:aa:00:00:00:01');
    const topo = await get('/api/v1/topology', viewer);
    expect(topo.body).toEqual([
      {
        collector: 'host-a',
        bridges: [
          {
            name: 'br0',
            type: 'linux',
            ports: [
              { name: 'tap0', kind: 'tap', owner: 'qemu:vm1' },
              { name: 'vethA', kind: 'veth', peer: 'eth0', peerNetns: 'ns1' },
            ],
          },
          { name: 'ovsbr', type: 'ovs', ports: [{ name: 'vnet1', kind: 'tap', owner: 'qemu:vm2' }] },
        ],
        standalone: [{ name: 'eth9', kind: 'physical' }],
      },
    ]);
  });

  it('refuses bad parameters, huge ranges and injection attempts with 400 and a reason, running no SQL', async () => {
    const before = adapter.executed.length;
    const cases: Array<[string, RegExp]> = [
      ['/api/v1/flows', /from: /],
      [`/api/v1/flows?from=yesterday`, /from: expected an ISO-8601 time/],
      [`/api/v1/flows?from=${NOW - 10 * 86_400_000}`, /exceeds the limit of 2 days/],
      [`/api/v1/flows?from=${NOW}&to=${NOW - 1000}`, /must be before/],
      [`/api/v1/flows?from=${T0}&limit=501`, /limit=501 exceeds the limit of 500 rows/],
      [`/api/v1/flows?from=${T0}&port=70000`, /port: /],
      [`/api/v1/flows?from=${T0}&addr=${encodeURIComponent("10.0.0.1' OR 1=1 --")}`, /addr: /],
      [`/api/v1/flows?from=${T0}&iface=${encodeURIComponent("eth0'; DROP TABLE nicscope.flows; --")}`, /iface: /],
      [`/api/v1/flows?from=${T0}&proto=${encodeURIComponent('6) OR (1=1')}`, /proto: /],
      [`/api/v1/flows?from=${T0}&vlan=1e9`, /vlan: /],
      [`/api/v1/flows?from=${T0}&tunnel=ipip`, /tunnel: /],
      [`/api/v1/flows?from=${T0}&orderBy=${encodeURIComponent('bytes; DROP TABLE x')}`, /Unrecognized key/],
      [`/api/v1/flows?from=${T0}&from=${T0}`, /from: /],
      [
        `/api/v1/top/${encodeURIComponent('talkers UNION SELECT 1')}?from=${T0}`,
        /one of talkers, conversations, protocols/,
      ],
      [`/api/v1/top/talkers?from=${T0}&by=${encodeURIComponent('bytes DESC --')}`, /by: /],
      [`/api/v1/series?from=${T0}&step=61`, /step: /],
      [`/api/v1/ovs/datapath?from=${T0}&datapath=${encodeURIComponent("x' OR '1")}`, /datapath: /],
      [`/api/v1/capture/health?from=${T0}&iface=${encodeURIComponent('a b')}`, /iface: /],
    ];
    for (const [path, reason] of cases) {
      const r = await get(path, t.adminToken);
      expect(r.status, path).toBe(400);
      expect(r.body.reasons.join('\n'), path).toMatch(reason);
    }
    expect(adapter.executed.length).toBe(before);
  });

  it('passes user values only as query parameters', async () => {
    const iface = 'vethA';
    await get(`/api/v1/flows?from=${T0}&iface=${iface}&addr=10.200.1.3&port=443`, viewer);
    const last = adapter.executed.at(-1)!;
    expect(last.params).toMatchObject({ iface, addr: '10.200.1.3', port: 443 });
    expect(last.query).not.toContain(iface);
    expect(last.query).not.toContain('10.200.1.3');
    expect(last.query).not.toContain('443');
  });

  it('answers 503 with the database reason when a table is missing, not 500', async () => {
    await storage.command('RENAME TABLE nicscope.collector_health TO nicscope.collector_health_away');
    try {
      const r = await get('/api/v1/collectors', viewer);
      expect(r.status).toBe(503);
      expect(r.body.reasons[0]).toMatch(/^database: .*collector_health/);
    } finally {
      await storage.command('RENAME TABLE nicscope.collector_health_away TO nicscope.collector_health');
    }
    expect((await get('/api/v1/collectors', viewer)).status).toBe(200);
  });

  it('answers malformed JSON and invalid bodies with 400 and a reason', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${t.api.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.adminToken}`, 'Content-Type': 'application/json' },
        body,
      });
    const r1 = await post('{"name": "x", "role": ');
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { reasons: string[] }).reasons[0]).toMatch(/JSON/);
    const r2 = await post(JSON.stringify({ name: 'x', role: 'root' }));
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { reasons: string[] }).reasons[0]).toMatch(/^role: /);
  });

  it('limits requests per token with 429 and Retry-After', async () => {
    const created = await fetch(`${t.api.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'burst', role: 'viewer' }),
    });
    const burst = ((await created.json()) as { token: string }).token;
    const statuses: number[] = [];
    const started = Date.now();
    let retryAfter: string | null = null;
    for (let i = 0; i < 80 && !statuses.includes(429); i++) {
      const res = await fetch(`${t.api.url}/api/v1/collectors`, { headers: { Authorization: `Bearer ${burst}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
      retryAfter = res.headers.get('retry-after');
    }
    const elapsedS = (Date.now() - started) / 1000;
    // 60 at once (the burst), plus what refilled at 1/s while the requests ran, then 429
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length - 1).toBeLessThanOrEqual(60 + Math.ceil(elapsedS) + 1);
    expect(retryAfter).toMatch(/^\d+$/);
    // another token is not affected
    expect((await get('/api/v1/collectors', viewer)).status).toBe(200);
  });

  it('reports readiness from the database and the collectors capture health, and exports metrics', async () => {
    const r1 = await get('/readyz', null);
    expect(r1.status).toBe(503);
    expect(r1.body.reasons.join()).toMatch(/no collector has reported/);
    const snap = (packets: number, atMs: number): Parameters<typeof t.bus.publishHealth>[0] => ({
      collector: 'host-a',
      atMs,
      captures: [
        { iface: 'vethA', running: true, packets, bytes: packets * 100, kernelDrops: 2, ifDrops: 0, malformed: 1 },
      ],
      flowsActive: 12,
      flowsEvicted: 3,
      batchRows: 5000,
      batches: 5,
      batchLatencyMs: 12,
      spoolBytes: 0,
    });
    t.bus.publishHealth(snap(1000, Date.now() - 1000));
    t.bus.publishHealth(snap(3000, Date.now()));
    const r2 = await get('/readyz', null);
    expect(r2.status).toBe(200);
    expect(r2.body.checks).toEqual({ database: true, captures: true });
    t.bus.publishHealth({
      ...snap(3000, Date.now()),
      captures: [
        {
          iface: 'vethA',
          running: false,
          packets: 0,
          bytes: 0,
          kernelDrops: 0,
          ifDrops: 0,
          malformed: 0,
          error: 'device went away',
        },
      ],
    });
    const r3 = await get('/readyz', null);
    expect(r3.status).toBe(503);
    expect(r3.body.reasons.join()).toMatch(/capture on vethA stopped: device went away/);
    t.bus.publishHealth(snap(5000, Date.now()));
    const m = await get('/metrics', null);
    expect(m.status).toBe(200);
    const text = m.body as string;
    for (const line of [
      'nicscope_collector_capture_packets_total{collector="host-a",iface="vethA"} 5000',
      'nicscope_collector_capture_kernel_drops_total{collector="host-a",iface="vethA"} 2',
      'nicscope_collector_decode_malformed_total{collector="host-a",iface="vethA"} 1',
      'nicscope_collector_flows_active{collector="host-a"} 12',
      'nicscope_collector_flows_evicted_total{collector="host-a"} 3',
      'nicscope_collector_storage_batch_rows_total{collector="host-a"} 5000',
      'nicscope_collector_storage_batch_latency_seconds{collector="host-a"} 0.012',
      'nicscope_collector_storage_spool_bytes{collector="host-a"} 0',
      'nicscope_api_ws_clients 0',
      'nicscope_api_ws_lost_total{reason="queue"} 0',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/nicscope_collector_capture_packets_per_second\{collector="host-a",iface="vethA"\} \d+/);
  });
});
