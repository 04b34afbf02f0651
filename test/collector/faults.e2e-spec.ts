// Needs root: namespaces, a bridge and veth pairs in the root namespace (named from the run id),
// a ClickHouse-compatible HTTP server over the real engine (chDB) behind a TCP proxy the test cuts.
// The real collector writes over HTTP; the database goes away during traffic, the collector is
// restarted during the outage, the database comes back: every flow is stored exactly once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChHttpServer, TcpProxy } from '../support/ch-http.js';
import { run, sleep, waitFor } from '../support/exec.js';
import { Topology, type Netns } from '../support/netns.js';
import { CollectorProcess } from './harness.js';

const TRAFFIC = join(__dirname, 'traffic.py');
const USER = 'nicscope';
const PASSWORD = 'e2e-secret';

describe('collector with a database that goes away', () => {
  const topo = new Topology();
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-faults-'));
  let server: ChHttpServer;
  let proxy: TcpProxy;
  let ch: ClickHouseClient;
  let a: Netns;
  let ports: string[];
  const running: CollectorProcess[] = [];

  function collectorEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NICSCOPE_DATA_DIR: join(dir, 'collector'),
      NICSCOPE_CLICKHOUSE_URL: proxy.url,
      NICSCOPE_CLICKHOUSE_USER: USER,
      NICSCOPE_CLICKHOUSE_PASSWORD: PASSWORD,
      NICSCOPE_CLICKHOUSE_TIMEOUT_MS: '3000',
      NICSCOPE_CAPTURE_INTERFACES: ports.join(','),
      NICSCOPE_CAPTURE_EXCLUDE: '',
      NICSCOPE_FLOW_IDLE_TIMEOUT_S: '1',
      NICSCOPE_FLUSH_INTERVAL_MS: '200',
      NICSCOPE_FRAME_SAMPLE_RATE: '0',
      NICSCOPE_OVS: 'off',
      NICSCOPE_COLLECTOR_NAME: 'e2e-faults',
      ...extra,
    };
  }

  function startCollector(extra: Record<string, string> = {}): CollectorProcess {
    const c = CollectorProcess.startHere(collectorEnv(extra));
    running.push(c);
    return c;
  }

  /** `n` UDP flows a → b, one per destination port (5 datagrams each). */
  async function flows(firstPort: number, n: number): Promise<void> {
    await a.exec(['python3', TRAFFIC, 'udp-flows', '10.200.9.2', String(firstPort), String(n), '5', '64']);
  }

  async function finalRows(): Promise<Array<{ iface: string; port: number; n: string }>> {
    const r = await ch.query({
      query: `SELECT iface, dst_port AS port, count() AS n FROM nicscope.flows
              WHERE collector = 'e2e-faults' AND proto = 17 AND record_type = 'final' GROUP BY iface, port`,
      format: 'JSONEachRow',
    });
    return r.json();
  }

  beforeAll(async () => {
    server = await ChHttpServer.start({ dataDir: join(dir, 'server'), user: USER, password: PASSWORD });
    proxy = new TcpProxy(server.port);
    await proxy.listen();
    ch = createClient({ url: server.url, username: USER, password: PASSWORD });
    a = await topo.netns('a');
    const b = await topo.netns('b');
    const br = await topo.rootLink('br', 'type', 'bridge');
    const [a0, pa] = await topo.veth(a, null, ['a0', 'pa']);
    const [b0, pb] = await topo.veth(b, null, ['b0', 'pb']);
    for (const p of [pa.name, pb.name]) await run(['ip', 'link', 'set', p, 'master', br]);
    await a.addr(a0.name, '10.200.9.1/24');
    await b.addr(b0.name, '10.200.9.2/24');
    ports = [pa.name, pb.name];
  }, 120_000);

  afterAll(async () => {
    for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) await c.stop('SIGKILL');
    await ch?.close();
    await proxy?.cut();
    await server?.stop();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every flow exactly once across an outage and a restart during it', async () => {
    const first = startCollector();
    await first.waitCapturing(ports, 60_000);
    await flows(7000, 10);
    await waitFor(async () => (await finalRows()).length === 20, '10 flows × 2 interfaces stored', 60_000, 500);

    await proxy.cut();
    await flows(7100, 10);
    await sleep(2500); // the flows end (idle 1 s) and their batch fails: it goes to the spool
    expect(await first.stop('SIGTERM'), first.stderr.slice(-4000)).toBe(0);
    expect(readdirSync(join(dir, 'collector', 'spool')).length).toBeGreaterThan(0);

    const second = startCollector();
    await second.waitLog('database unreachable: collecting into the spool until it answers', () => true, 60_000);
    await second.waitCapturing(ports, 60_000);
    await flows(7200, 10);
    await sleep(2500);
    await proxy.restore();
    await waitFor(async () => (await finalRows()).length === 60, '30 flows × 2 interfaces stored', 90_000, 500);
    await sleep(1500); // a duplicate replay, if any, would land now
    expect(await second.stop('SIGINT'), second.stderr.slice(-4000)).toBe(0);

    const rows = await finalRows();
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const ports2 = new Set(rows.map((r) => r.port));
    for (const base of [7000, 7100, 7200])
      for (let p = base; p < base + 10; p++) expect(ports2.has(p), `port ${p}`).toBe(true);
    const pkts = await ch.query({
      query: `SELECT sum(packets_delta_fwd) AS p FROM nicscope.flows WHERE collector = 'e2e-faults' AND proto = 17`,
      format: 'JSONEachRow',
    });
    expect(Number((await pkts.json<{ p: string }>())[0]!.p)).toBe(30 * 5 * 2);
  }, 300_000);

  it('stops with a clear error on wrong credentials', async () => {
    const c = startCollector({ NICSCOPE_CLICKHOUSE_PASSWORD: 'wrong' });
    const code = await new Promise<number | null>((r) => c.child.once('exit', r));
    expect(code).toBe(1);
    expect(c.stderr).toMatch(/refused the credentials/);
  }, 120_000);
});
