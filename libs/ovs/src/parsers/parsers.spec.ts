import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDpctlShow } from './dpctl-show.js';
import { parsePmdStatsShow, sumTiers } from './pmd-stats.js';
import { parseDumpFlows, parseFlowLine } from './dump-flows.js';
import { parseUpcallShow } from './upcall-show.js';
import { parseCoverageShow } from './coverage-show.js';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../test/fixtures', name), 'utf8');

describe(parseDpctlShow.name, () => {
  it('reads the userspace datapath of OVS 3.1 with port counters and human-readable byte suffixes', () => {
    const [dp, ...rest] = parseDpctlShow(fixture('netdev-3.1-dpctl-show-s.txt'));
    expect(rest).toHaveLength(0);
    expect(dp).toMatchObject({ name: 'netdev@ovs-netdev', type: 'netdev', hit: 21n, missed: 15n, lost: 0n, flows: 3n });
    expect(dp!.mask_hit).toBeUndefined();
    expect(dp!.ports.map((p) => [p.port_no, p.name, p.type])).toEqual([
      [0, 'ovs-netdev', 'tap'],
      [1, 'br0', 'tap'],
      [2, 'pva', ''],
      [3, 'pvb', ''],
    ]);
    expect(dp!.ports[2]!.stats).toMatchObject({ rx_packets: 19n, tx_packets: 27n, rx_bytes: 1594n, tx_bytes: 2230n });
  });

  it('reads the kernel datapath with masks, cache, caches and unavailable (?) counters', () => {
    const [dp] = parseDpctlShow(fixture('kernel-3.1-dpctl-show-s.txt'));
    expect(dp).toMatchObject({
      name: 'system@ovs-system',
      type: 'system',
      hit: 1207368n,
      missed: 3456n,
      lost: 12n,
      flows: 42n,
      mask_hit: 2904512n,
      masks_total: 7n,
      masks_hit_per_pkt: 2.4,
      cache_hit: 1021345n,
      cache_hit_rate_pct: 84.35,
    });
    expect(dp!.ports).toHaveLength(5);
    expect(dp!.ports[4]).toMatchObject({
      port_no: 4,
      name: 'vxlan_sys_4789',
      type: 'vxlan',
      options: 'packet_type=ptap',
    });
    expect(dp!.ports[4]!.stats!.rx_errors).toBeUndefined();
    expect(dp!.ports[2]!.stats).toMatchObject({ rx_bytes: 1232448125n, tx_bytes: 25112980n, rx_dropped: 4n });
  });

  it('reads the tab-indented OVS 2.5 kernel layout without cache line and without -s', () => {
    const [dp] = parseDpctlShow(fixture('kernel-2.5-dpctl-show.txt'));
    expect(dp).toMatchObject({ hit: 23n, missed: 10n, lost: 0n, flows: 2n, mask_hit: 39n, masks_total: 2n });
    expect(dp!.cache_hit).toBeUndefined();
    expect(dp!.ports.map((p) => p.name)).toEqual(['ovs-system', 'br0', 'eth0']);
    expect(dp!.ports[2]!.stats).toBeUndefined();
  });

  it('reads two datapaths and keeps counters beyond 2^53 exact', () => {
    const text =
      'system@ovs-system:\n  lookups: hit:18446744073709551615 missed:1 lost:0\n  flows: 0\nnetdev@ovs-netdev:\n  lookups: hit:9007199254740993 missed:0 lost:0\n  flows: 1\n';
    const dps = parseDpctlShow(text);
    expect(dps.map((d) => d.hit)).toEqual([18446744073709551615n, 9007199254740993n]);
  });

  it('returns nothing for empty or unrelated text', () => {
    expect(parseDpctlShow('')).toEqual([]);
    expect(parseDpctlShow('ovs-vswitchd: no such datapath\n')).toEqual([]);
  });
});

describe(parsePmdStatsShow.name, () => {
  it('reads the main thread of OVS 3.1 and its tiers add up to packets received', () => {
    const [t] = parsePmdStatsShow(fixture('netdev-3.1-pmd-stats-show.txt'));
    expect(t).toMatchObject({
      thread: 'main thread',
      packets_received: 36n,
      megaflow: 21n,
      upcall_ok: 15n,
      upcall_failed: 0n,
      mfex_opt: 0n,
    });
    const s = sumTiers([t!]);
    expect(s.phwol + s.simple_match + s.emc + s.smc + s.megaflow + s.upcall_ok + s.upcall_failed + s.lost).toBe(
      t!.packets_received! + t!.recirculations!,
    );
  });

  it('reads PMD threads with cycles, keeps mfex opt hits out of the tiers and holds the invariant', () => {
    const ts = parsePmdStatsShow(fixture('netdev-3.1-pmd-stats-show-pmd.txt'));
    expect(ts.map((t) => t.thread)).toEqual(['pmd thread numa_id 0 core_id 1', 'main thread']);
    const p = ts[0]!;
    expect(p).toMatchObject({
      phwol: 100n,
      simple_match: 50n,
      emc: 600n,
      smc: 10n,
      megaflow: 200n,
      upcall_ok: 55n,
      upcall_failed: 5n,
      mfex_opt: 400n,
      idle_cycles: 123456789n,
    });
    const s = sumTiers([p]);
    expect(s.phwol + s.simple_match + s.emc + s.smc + s.megaflow + s.upcall_ok + s.upcall_failed + s.lost).toBe(
      p.packets_received! + p.recirculations!,
    );
    expect(sumTiers(ts).megaflow).toBe(203n);
  });

  it('reads the OVS 2.9 layout (miss, lost, no spaces after the colon)', () => {
    const ts = parsePmdStatsShow(fixture('netdev-2.9-pmd-stats-show.txt'));
    expect(ts[0]).toMatchObject({
      thread: 'pmd thread numa_id 0 core_id 1',
      emc: 1200n,
      megaflow: 300n,
      upcall_ok: 40n,
      lost: 2n,
      processing_cycles: 87123n,
    });
    expect(ts[1]).toMatchObject({ thread: 'main thread', megaflow: 5n, upcall_ok: 3n });
  });

  it('ignores garbage lines and lines before any thread header', () => {
    expect(parsePmdStatsShow('  emc hits: 5\nnonsense\n')).toEqual([]);
  });
});

describe(parseDumpFlows.name, () => {
  it('reads the userspace dump with its thread header', () => {
    const d = parseDumpFlows(fixture('netdev-3.1-dump-flows.txt'));
    expect(d.unparsed).toBe(0);
    expect(d.flows.length).toBeGreaterThan(2);
    expect(d.flows.every((f) => f.thread === 'the main thread')).toBe(true);
    const icmp = d.flows.find((f) => f.match.includes('eth_type(0x0800)'))!;
    expect(icmp).toMatchObject({ packets: 4n, bytes: 392n, actions: '3' });
    expect(d.flows.some((f) => f.used_s === null && f.packets === 0n)).toBe(true);
  });

  it('reads -m output: ufid, port names, dp and the dp-extra-info after the actions', () => {
    const d = parseDumpFlows(fixture('netdev-3.1-dump-flows-m.txt'));
    const f = d.flows[0]!;
    expect(f.ufid).toBe('a2dd67fd-11d0-41f7-b273-f8ff37a253d5');
    expect(f.match).toMatch(/^skb_priority\(0\/0\),.*in_port\(pva\)/);
    expect(f).toMatchObject({ dp: 'ovs', actions: 'pvb', packets: 4n });
  });

  it('reads kernel flows: flags, ct/recirc actions with commas, tc offload, and counts bad lines', () => {
    const d = parseDumpFlows(fixture('kernel-3.1-dump-flows.txt'));
    expect(d.unparsed).toBe(1);
    expect(d.flows).toHaveLength(6);
    expect(d.flows[0]).toMatchObject({
      thread: '',
      packets: 1520n,
      bytes: 148960n,
      used_s: 0.004,
      flags: 'SP.',
      actions: '2',
    });
    expect(d.flows[4]!.actions).toBe('ct(commit,zone=1),recirc(0x2)');
    expect(d.flows[5]).toMatchObject({ offloaded: true, dp: 'tc', ufid: '4d1b8e2a-3c55-4b7b-9a40-3f2d9f0c6a11' });
    expect(d.flows[5]!.actions).toBe('set(tunnel(tun_id=0x5,dst=10.0.0.2,ttl=64,tp_dst=4789,flags(df|key))),4');
  });

  it('keeps at most maxFlows flows and counts the rest as skipped', () => {
    const d = parseDumpFlows(fixture('kernel-3.1-dump-flows.txt'), 2);
    expect(d.flows).toHaveLength(2);
    expect(d.skipped).toBe(5);
  });

  it('refuses a line without packets or actions', () => {
    expect(parseFlowLine('in_port(1), bytes:3, actions:2')).toBeUndefined();
    expect(parseFlowLine('in_port(1), packets:1, bytes:3')).toBeUndefined();
  });
});

describe(parseUpcallShow.name, () => {
  it('reads the userspace datapath of OVS 3.1', () => {
    const [u] = parseUpcallShow(fixture('netdev-3.1-upcall-show.txt'));
    expect(u).toMatchObject({ dp: 'netdev@ovs-netdev', flow_limit: 11000n, ufid_enabled: true });
    expect(u!.revalidators).toHaveLength(1);
    expect(typeof u!.dump_duration_ms).toBe('number');
  });

  it('reads the kernel datapath with several revalidators', () => {
    const [u] = parseUpcallShow(fixture('kernel-3.1-upcall-show.txt'));
    expect(u).toMatchObject({
      dp: 'system@ovs-system',
      flows_current: 42n,
      flows_avg: 40n,
      flows_max: 311n,
      flow_limit: 200000n,
      dump_duration_ms: 3,
    });
    expect(u!.revalidators).toEqual([
      { id: 14, keys: 11n },
      { id: 15, keys: 10n },
      { id: 16, keys: 21n },
    ]);
  });
});

describe(parseCoverageShow.name, () => {
  it('reads totals by event and the never-hit count', () => {
    const c = parseCoverageShow(fixture('netdev-3.1-coverage-show.txt'));
    expect(c.totals.get('netlink_sent')).toBe(187n);
    expect(c.totals.get('dpif_flow_put')).toBeGreaterThan(0n);
    expect(c.never_hit).toBe(108);
    expect(c.totals.has('Event')).toBe(false);
  });
});
