// Needs root: a bridge and veth pairs in the root namespace (named from the run id) and two
// namespaces. `nicscope start` (collector + API in one process) captures the bridge ports; a real
// WebSocket client subscribed to flows receives updates whose totals equal the stored rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type FlowUpdate } from '@nicscope/contracts';
import { run, start, waitFor } from '../support/exec.js';
import { Topology, type Netns } from '../support/netns.js';
import { CLI, CollectorProcess } from './harness.js';

const TRAFFIC = join(__dirname, 'traffic.py');
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

describe('live flow updates from the embedded service', () => {
  const topo = new Topology();
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-live-'));
  let a: Netns;
  let port: string;
  let service: CollectorProcess;
  let stdout = '';
  let ws: WebSocket | undefined;
  let ch: ClickHouseClient | undefined;
  const updates: FlowUpdate[] = [];

  beforeAll(async () => {
    a = await topo.netns('a');
    const b = await topo.netns('b');
    const br = await topo.rootLink('br', 'type', 'bridge');
    const [a0, pa] = await topo.veth(a, null, ['a0', 'pa']);
    const [b0, pb] = await topo.veth(b, null, ['b0', 'pb']);
    for (const p of [pa.name, pb.name]) await run(['ip', 'link', 'set', p, 'master', br]);
    await a.addr(a0.name, '10.200.11.1/24');
    await b.addr(b0.name, '10.200.11.2/24');
    port = pa.name;
    const env = {
      ...process.env,
      NICSCOPE_LOG_FORMAT: 'json',
      NICSCOPE_DATA_DIR: join(dir, 'data'),
      NICSCOPE_API_PORT: '0',
      NICSCOPE_CAPTURE_INTERFACES: port,
      NICSCOPE_CAPTURE_EXCLUDE: '',
      NICSCOPE_FLOW_IDLE_TIMEOUT_S: '1',
      NICSCOPE_FLUSH_INTERVAL_MS: '200',
      NICSCOPE_OVS: 'off',
      NICSCOPE_COLLECTOR_NAME: 'e2e-live',
    };
    service = new CollectorProcess(start([process.execPath, CLI, 'start'], { env }));
    service.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitFor(
      () => /admin token[^:]*: (\S+)/.exec(stdout) && /listening on (http:\/\/\S+)/.exec(stdout),
      'the API URL and token',
      90_000,
      100,
    );
    await service.waitCapturing([port], 60_000);
  }, 180_000);

  afterAll(async () => {
    ws?.close();
    if (service?.child.exitCode === null && service.child.signalCode === null) await service.stop('SIGKILL');
    await ch?.close();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams flow updates whose final totals equal the stored flow rows', async () => {
    const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
    const token = /admin token[^:]*: (\S+)/.exec(stdout)![1]!;
    ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: { Authorization: `Bearer ${token}` } });
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; flows?: FlowUpdate[] };
      if (m.type === 'flows') updates.push(...m.flows!);
    });
    await new Promise<void>((resolve, reject) => {
      ws!.once('open', () => resolve());
      ws!.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'subscribe', id: 'f', streams: ['flows'], interfaces: [port] }));
    await new Promise((r) => setTimeout(r, 500));

    await a.exec(['python3', TRAFFIC, 'udp-flows', '10.200.11.2', '7300', '10', '5', '80']);
    const finals = (): FlowUpdate[] =>
      updates.filter((u) => u.proto === 17 && u.dstPort >= 7300 && u.dstPort < 7310 && u.state !== 'interim');
    await waitFor(() => finals().length === 10, 'final updates of the 10 UDP flows', 30_000, 200);
    expect(await service.stop('SIGINT'), service.stderr.slice(-4000)).toBe(0);

    const connection = createChdbConnection({ path: join(dir, 'data', 'chdb') }) as unknown as ClientConnection;
    ch = createClient({ connection });
    const r = await ch.query({
      query: `SELECT toString(flow_id) AS id, sum(packets_delta_fwd) AS pf, sum(bytes_delta_fwd) AS bf,
                     sum(packets_delta_rev) AS pr, sum(bytes_delta_rev) AS br
              FROM nicscope.flows WHERE collector = 'e2e-live' AND iface = {iface:String} AND proto = 17 GROUP BY flow_id`,
      query_params: { iface: port },
      format: 'JSONEachRow',
    });
    const stored = new Map(
      (await r.json<{ id: string; pf: string; bf: string; pr: string; br: string }>()).map((x) => [x.id, x]),
    );
    for (const u of finals()) {
      expect(u.iface).toBe(port);
      const s = stored.get(u.flowId);
      expect(s, `flow ${u.flowId} to port ${u.dstPort} is stored`).toBeDefined();
      expect([u.packetsA, u.bytesA, u.packetsB, u.bytesB]).toEqual([
        Number(s!.pf),
        Number(s!.bf),
        Number(s!.pr),
        Number(s!.br),
      ]);
      expect(u.packetsA).toBe(5);
    }
  }, 180_000);
});
