// Needs root: creates network namespaces and veth pairs, and runs private OVS daemons (userspace datapath).
/**
 * nicscope's OVS collector against real daemons: its deltas equal ovs-appctl's taken at the same
 * moments, the fastpath ratio rises when flows repeat, pmd-stats-clear and a vswitchd restart give
 * reset events and no negative value, external_ids show up in the mapping, and the OVSDB monitor
 * survives ovsdb-server being killed and restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OvsSampler,
  OvsdbClient,
  OvsdbStatsSource,
  UnixctlStatsSource,
  VswitchdControl,
  collectSnapshot,
  parseCoverageShow,
  parseUpcallShow,
  type OvsSample,
  type OvsStatsSource,
} from '@nicscope/ovs';
import { Topology, type Netns, type VethEnd } from '../support/netns.js';
import { startOvs, type OvsDaemons } from '../support/ovs.js';
import { sleep, waitFor } from '../support/exec.js';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'nicscope.js');

/** Runs the `nicscope` command as a user does (bin/nicscope.js builds first when sources changed). */
function nicscope(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

const DP = 'netdev@ovs-netdev';

/** ovs-appctl's numbers, read with the test's own regexes (independent of nicscope's parsers). */
async function appctlCounters(ovs: OvsDaemons): Promise<Record<string, bigint>> {
  const show = (await ovs.appctl('dpctl/show', '-s')).stdout;
  const pmd = (await ovs.appctl('dpif-netdev/pmd-stats-show')).stdout;
  const m = /lookups: hit:(\d+) missed:(\d+) lost:(\d+)/.exec(show);
  if (!m) throw new Error(`no lookups line in ${show}`);
  const sum = (re: RegExp): bigint => [...pmd.matchAll(re)].reduce((a, x) => a + BigInt(x[1]!), 0n);
  return {
    hit: BigInt(m[1]!),
    missed: BigInt(m[2]!),
    lost: BigInt(m[3]!),
    emc: sum(/ emc hits: (\d+)/g),
    smc: sum(/ smc hits: (\d+)/g),
    megaflow: sum(/ megaflow hits: (\d+)/g),
    upcall_ok: sum(/ miss with success upcall: (\d+)/g),
    upcall_failed: sum(/ miss with failed upcall: (\d+)/g),
  };
}

function sub(a: Record<string, bigint>, b: Record<string, bigint>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, Number(a[k]! - b[k]!)]));
}

/** Every number in a sample's records is ≥ 0. */
function negatives(s: OvsSample): string[] {
  const bad: string[] = [];
  for (const r of [...s.datapaths, ...s.ports, ...s.megaflows]) {
    for (const [k, v] of Object.entries(r))
      if ((typeof v === 'number' || typeof v === 'bigint') && v < 0) bad.push(`${k}=${v}`);
  }
  return bad;
}

/** Ethernet frames from `count` distinct source MACs (one megaflow each) to `dst`, local experimental EtherType. */
function frames(count: number, dst: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const src = `02aa${(i >> 8).toString(16).padStart(2, '0')}${(i & 0xff).toString(16).padStart(2, '0')}0001`;
    out.push(`${dst.replace(/:/g, '')}${src}88b5${'00'.repeat(46)}`);
  }
  return out;
}

describe('OVS collector (OvsdbClient, VswitchdControl, OvsSampler)', () => {
  const topo = new Topology();
  let ovs: OvsDaemons;
  let sw: Netns;
  let a: Netns;
  let a0: VethEnd;
  let a1: VethEnd;
  let b1: VethEnd;
  let bMac: string;
  let client: OvsdbClient;
  let ctl: VswitchdControl;
  let sources: OvsStatsSource[];
  const sampler = new OvsSampler({ megaflowsTop: 20 });
  const fr = (): string[] => frames(200, bMac);

  const sample = async (): Promise<OvsSample> => {
    const { snapshot, errors } = await collectSnapshot(sources);
    expect(errors).toEqual([]);
    return sampler.sample(snapshot);
  };

  /** Waits until the datapath counters stop moving (frames in flight handled). */
  const quiesce = async (): Promise<void> => {
    let last = '';
    for (let i = 0; i < 40; i++) {
      const now = (await ovs.appctl('dpctl/show')).stdout.match(/lookups: .*/)?.[0] ?? '';
      if (now === last) return;
      last = now;
      await sleep(100);
    }
  };

  beforeAll(async () => {
    sw = await topo.netns('sw');
    a = await topo.netns('a');
    const b = await topo.netns('b');
    for (const ns of [a, b]) {
      await ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await ns.exec(['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    [a0, a1] = await topo.veth(a, sw);
    const [b0, b1x] = await topo.veth(b, sw);
    b1 = b1x;
    await a.noOffload(a0.name);
    await b.noOffload(b0.name);
    bMac = await b.mac(b0.name);
    ovs = await startOvs(sw);
    await ovs.addBridge('br0');
    await ovs.addPort(
      'br0',
      a1.name,
      '--',
      'set',
      'interface',
      a1.name,
      'external_ids:vm-id=vm-alpha',
      'external_ids:attached-mac=52:54:00:00:00:01',
    );
    await ovs.addPort('br0', b1.name);
    client = new OvsdbClient({ remote: `unix:${ovs.dbSock}`, backoffMinMs: 50, backoffMaxMs: 400 });
    client.start();
    await client.whenSynced(10_000);
    ctl = new VswitchdControl({ rundir: ovs.dir });
    sources = [new UnixctlStatsSource(ctl, { megaflows: true, megaflowsMaxDump: 5000 }), new OvsdbStatsSource(client)];
  });

  afterAll(async () => {
    client?.stop();
    ctl?.close();
    await ovs?.stop();
    await topo.destroy();
  });

  it('gives the same datapath and tier deltas as ovs-appctl, and a rising fastpath ratio when flows repeat', async () => {
    await quiesce();
    const A0 = await appctlCounters(ovs);
    const s0 = await sample();
    expect(s0.baseline).toBe(true);

    await a.sendRaw(a0.name, fr()); // 200 new flows
    await quiesce();
    const A1 = await appctlCounters(ovs);
    const s1 = await sample();
    const d1 = s1.datapaths.find((d) => d.datapath === DP)!;

    // The same 200 flows, 5 times, paced: a burst overruns the veth and the userspace datapath drops
    // frames before counting them (machine.md), which is fine for equality but not for the counts below.
    await a.sendRaw(a0.name, fr(), { repeat: 5, gapUs: 50 });
    await quiesce();
    const A2 = await appctlCounters(ovs);
    const s2 = await sample();
    const d2 = s2.datapaths.find((d) => d.datapath === DP)!;

    for (const [d, x, y] of [
      [d1, A1, A0],
      [d2, A2, A1],
    ] as const) {
      const want = sub(x, y);
      expect({
        hit: d.hit,
        missed: d.missed,
        lost: d.lost,
        emc: d.emc,
        smc: d.smc,
        megaflow: d.megaflow,
        upcall_ok: d.upcall_ok,
        upcall_failed: d.upcall_failed,
      }).toEqual(want);
      expect(d.lookups).toBe(want.hit! + want.missed! + want.lost!);
      expect(d.tier_packets).toBe(d.lookups);
    }
    expect(d1.missed).toBeGreaterThanOrEqual(200);
    expect(d2.hit).toBeGreaterThanOrEqual(600);
    expect(d2.fastpath_ratio!).toBeGreaterThan(0.95);
    expect(d2.fastpath_ratio!).toBeGreaterThan(d1.fastpath_ratio! + 0.5);
    expect((d2.share_emc ?? 0) + (d2.share_smc ?? 0) + (d2.share_megaflow ?? 0)).toBeCloseTo(d2.fastpath_ratio!, 6);

    // Megaflows: the first interval's are fresh; the repeated ones are not, with 5 packets each; top-N bounded.
    expect(s1.megaflows.length).toBe(20);
    expect(s1.megaflows.filter((m) => m.match.includes('02:aa:')).every((m) => m.fresh)).toBe(true);
    expect(s2.megaflows.length).toBe(20);
    expect(s2.megaflows.every((m) => !m.fresh && m.packets === 5)).toBe(true);
    expect(s2.megaflows[0]!.actions).not.toBe('');
    expect([...s0.events, ...s1.events, ...s2.events]).toEqual([]);
    expect([s1, s2].flatMap(negatives)).toEqual([]);
  });

  it('gives per-port counters equal to the Interface statistics ovs-vsctl shows, with rates and the owner', async () => {
    // vswitchd writes Interface statistics every ~5 s; a rate needs two live updates with traffic between.
    let done = false;
    const traffic = (async () => {
      while (!done) await a.sendRaw(a0.name, fr(), { repeat: 1, gapUs: 500 });
    })();
    const rxPackets = async (): Promise<bigint> =>
      BigInt((await ovs.vsctl('get', 'interface', a1.name, 'statistics:rx_packets')).stdout.trim());
    const found = waitFor(
      async () => {
        const before = await rxPackets();
        const r = await sample();
        const after = await rxPackets();
        const p = r.ports.find((x) => x.interface === a1.name);
        // Taken when no statistics update fell between the two ovs-vsctl reads (and the monitor had it).
        return p &&
          before === after &&
          p.rx_packets_total === after &&
          p.rx_pps > 0 &&
          p.stats_age_s !== null &&
          p.stats_age_s < p.stats_span_s
          ? ([p, after] as const)
          : undefined;
      },
      'a port record with fresh statistics',
      25_000,
      500,
    );
    const [rec, shown] = await found.finally(() => (done = true));
    await traffic;
    expect(rec.rx_packets_total).toBe(shown);
    expect(rec).toMatchObject({ bridge: 'br0', owner_kind: 'vm', owner_id: 'vm-alpha' });
    expect(rec.rx_pps * rec.stats_span_s).toBeGreaterThanOrEqual(1);
  });

  it('parses live upcall/show and coverage/show', async () => {
    const [u] = parseUpcallShow(await ctl.call('upcall/show'));
    expect(u).toMatchObject({ dp: DP, ufid_enabled: true });
    expect(u!.flow_limit).toBeGreaterThan(0n);
    const cov = parseCoverageShow(await ctl.call('coverage/show'));
    // Coverage counters are folded in about once a second, so only what has surely happened is checked.
    expect(cov.totals.get('xlate_actions')).toBeGreaterThan(0n);
    expect(cov.totals.size).toBeGreaterThan(10);
    expect(cov.never_hit).toBeGreaterThan(0);
  });

  it('shows external_ids of an interface in the port mapping, also when set later', async () => {
    const { snapshot } = await collectSnapshot(sources);
    const pa = snapshot.mapping.find((m) => m.interface === a1.name)!;
    expect(pa).toMatchObject({
      bridge: 'br0',
      datapath_type: 'netdev',
      owner_kind: 'vm',
      owner_id: 'vm-alpha',
      attached_mac: '52:54:00:00:00:01',
    });
    expect(pa.ofport).toBeGreaterThan(0);
    const changes: string[] = [];
    const off = client.onChange((c) => c.table === 'Interface' && changes.push(c.kind));
    await ovs.vsctl(
      'set',
      'interface',
      b1.name,
      'external_ids:vm-uuid=0d5e6f70-0000-4000-8000-000000000001',
      'external_ids:iface-id=port-b',
    );
    await waitFor(() => changes.includes('modify'), 'Interface change event');
    off();
    // The RFC 7047 `monitor` fallback keeps the same view.
    const v1 = new OvsdbClient({ remote: `unix:${ovs.dbSock}`, forceMonitorV1: true });
    v1.start();
    try {
      await v1.whenSynced();
      expect(v1.stats.method).toBe('monitor');
      await ovs.vsctl('set', 'interface', b1.name, 'external_ids:attached-mac=52:54:00:00:00:02');
      await waitFor(
        () =>
          [...v1.rows('Interface').values()].some(
            (r) => (r.external_ids as Map<string, string>).get('attached-mac') === '52:54:00:00:00:02',
          ),
        'monitor update',
      );
    } finally {
      v1.stop();
    }
    expect(client.stats.method).toBe('monitor_cond');
    const { snapshot: s2 } = await collectSnapshot(sources);
    expect(s2.mapping.find((m) => m.interface === b1.name)).toMatchObject({
      owner_kind: 'vm',
      owner_id: '0d5e6f70-0000-4000-8000-000000000001',
      iface_id: 'port-b',
    });
  });

  it('reports pmd-stats-clear as a reset event and never a negative delta', async () => {
    await a.sendRaw(a0.name, fr());
    await quiesce();
    await sample();
    await ovs.appctl('dpif-netdev/pmd-stats-clear');
    const r = await sample();
    expect(r.events.map((e) => e.scope)).toEqual(expect.arrayContaining(['datapath', 'pmd']));
    expect(r.datapaths.find((d) => d.datapath === DP)).toBeUndefined();
    expect(negatives(r)).toEqual([]);
    await a.sendRaw(a0.name, fr());
    await quiesce();
    const n = await sample();
    expect(n.events).toEqual([]);
    expect(n.datapaths.find((d) => d.datapath === DP)!.hit).toBeGreaterThanOrEqual(200);
    expect(negatives(n)).toEqual([]);
  });

  it('follows a vswitchd restart: new pid, a reset event, no negative value, sampling goes on', async () => {
    const pid0 = ctl.pid;
    await ovs.restartVswitchd();
    await waitFor(
      async () => (await ovs.vsctl('get', 'interface', a1.name, 'ofport')).stdout.trim() !== '[]',
      'port back after restart',
    );
    const r = await sample();
    expect(ctl.pid).not.toBe(pid0);
    // Ports whose counters live in vswitchd (the bridge's internal tap) may add a port reset of their own.
    expect(r.events[0]).toMatchObject({ scope: 'vswitchd', reason: 'new_pid' });
    expect(r.events.slice(1).every((e) => e.scope === 'port')).toBe(true);
    expect(r.datapaths).toEqual([]);
    expect(negatives(r)).toEqual([]);
    await a.sendRaw(a0.name, fr());
    await quiesce();
    const n = await sample();
    const d = n.datapaths.find((x) => x.datapath === DP)!;
    expect(d.missed).toBeGreaterThanOrEqual(200);
    expect(negatives(n)).toEqual([]);
  });

  it('survives ovsdb-server being killed and restarted: the monitor resumes', async () => {
    await ovs.stopOvsdb();
    await waitFor(() => client.state === 'disconnected', 'client sees the disconnection');
    const failed = await collectSnapshot(sources);
    expect(failed.errors.map((e) => e.source)).toEqual(['ovsdb']);
    await ovs.startOvsdb();
    await client.whenSynced(15_000);
    expect(client.stats.connects).toBeGreaterThanOrEqual(2);
    // A server that stops answering (SIGSTOP) is found by the echo probe, and the client resyncs after SIGCONT.
    const probed = new OvsdbClient({
      remote: `unix:${ovs.dbSock}`,
      probeIntervalMs: 300,
      backoffMinMs: 50,
      backoffMaxMs: 200,
    });
    probed.start();
    try {
      await probed.whenSynced();
      process.kill(ovs.ovsdbPid!, 'SIGSTOP');
      try {
        await waitFor(() => probed.state !== 'synced', 'probe notices the silent server', 5_000);
      } finally {
        process.kill(ovs.ovsdbPid!, 'SIGCONT');
      }
      await probed.whenSynced(10_000);
      expect(probed.stats.lastError).toMatch(/echo|closed|reply/);
    } finally {
      probed.stop();
    }
    await ovs.vsctl('set', 'interface', a1.name, 'external_ids:vm-id=vm-beta');
    await waitFor(() => {
      for (const row of client.rows('Interface').values())
        if (row.name === a1.name) return (row.external_ids as Map<string, string>).get('vm-id') === 'vm-beta';
      return false;
    }, 'update after resync');
  });

  it('nicscope ovs on a host without OVS says so once and exits 0', async () => {
    const r = await nicscope(['ovs', '--rundir', join(ovs.dir, 'nothing-here')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^no Open vSwitch: neither .*db\.sock nor .*ovs-vswitchd\.pid exists$/),
    ]);
    const bad = await nicscope(['ovs', '--rundir', ovs.dir, '--interval', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--interval "soon": expected seconds/);
  }, 120_000);
  it('nicscope ovs --json shows the datapath rates, tier shares and port owners of these daemons', async () => {
    // Traffic runs for as long as the command does (it may first have to build).
    let done = false;
    const cli = nicscope(['ovs', '--rundir', ovs.dir, '--json', '--interval', '1', '--top', '3']).finally(
      () => (done = true),
    );
    while (!done) await a.sendRaw(a0.name, fr(), { repeat: 2, gapUs: 200 });
    const r = await cli;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ovs: boolean;
      version: string;
      datapaths: Array<{ datapath: string; lookups: number; fastpath_ratio: number; share_emc: number | null }>;
      mapping: Array<{ interface: string; owner_id: string }>;
      megaflows: unknown[];
    };
    expect(out.ovs).toBe(true);
    expect(out.version).toMatch(/^\d+\.\d+/);
    const d = out.datapaths.find((x) => x.datapath === DP)!;
    expect(d.lookups).toBeGreaterThan(0);
    expect(d.fastpath_ratio).toBeGreaterThan(0.9);
    expect(d.share_emc).not.toBeNull();
    expect(out.mapping.find((m) => m.interface === a1.name)!.owner_id).toBe('vm-beta');
    expect(out.megaflows.length).toBeLessThanOrEqual(3);
  }, 120_000);
});
