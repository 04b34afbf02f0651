import { describe, expect, it } from 'vitest';
import { parseDpctlShow } from '../parsers/dpctl-show.js';
import { parsePmdStatsShow } from '../parsers/pmd-stats.js';
import { parseDumpFlows } from '../parsers/dump-flows.js';
import { OvsSampler, datapathRatios } from './sampler.js';
import { emptySnapshot, type OvsSnapshot } from './types.js';
import { type PortMapping } from './mapping.js';

function dp(type: 'system' | 'netdev', hit: number, missed: number, lost: number, extra = '', ports = ''): string {
  const name = type === 'system' ? 'system@ovs-system' : 'netdev@ovs-netdev';
  return `${name}:\n  lookups: hit:${hit} missed:${missed} lost:${lost}\n  flows: 3\n${extra}${ports}`;
}

function pmd(
  thread: string,
  t: { emc?: number; megaflow?: number; ok?: number; failed?: number; smc?: number; phwol?: number; simple?: number },
): string {
  const recv =
    (t.emc ?? 0) + (t.megaflow ?? 0) + (t.ok ?? 0) + (t.failed ?? 0) + (t.smc ?? 0) + (t.phwol ?? 0) + (t.simple ?? 0);
  return `${thread}:\n  packets received: ${recv}\n  packet recirculations: 0\n  phwol hits: ${t.phwol ?? 0}\n  simple match hits: ${t.simple ?? 0}\n  emc hits: ${t.emc ?? 0}\n  smc hits: ${t.smc ?? 0}\n  megaflow hits: ${t.megaflow ?? 0}\n  miss with success upcall: ${t.ok ?? 0}\n  miss with failed upcall: ${t.failed ?? 0}\n`;
}

function snap(at_ms: number, pid: number, show: string, extra: Partial<OvsSnapshot> = {}): OvsSnapshot {
  return { ...emptySnapshot(at_ms), vswitchd_pid: pid, datapaths: parseDpctlShow(show), ...extra };
}

describe(datapathRatios.name, () => {
  it('uses hit + missed as lookups on the kernel datapath (lost is part of missed)', () => {
    expect(datapathRatios('system', 90, 10, 4)).toEqual({ lookups: 100, fastpath: 0.9, slowpath: 0.1, lost: 0.04 });
  });

  it('adds lost to lookups and to the slowpath on the userspace datapath', () => {
    expect(datapathRatios('netdev', 90, 6, 4)).toEqual({ lookups: 100, fastpath: 0.9, slowpath: 0.1, lost: 0.04 });
  });

  it('gives null ratios for an interval without lookups', () => {
    expect(datapathRatios('netdev', 0, 0, 0).fastpath).toBeNull();
  });
});

describe(OvsSampler.name, () => {
  it('takes a baseline first, then computes kernel deltas, masks hit/pkt and cache ratio', () => {
    const s = new OvsSampler();
    const a = s.sample(
      snap(0, 10, dp('system', 100, 20, 1, '  masks: hit:200 total:3 hit/pkt:1.67\n  cache: hit:50 hit-rate:41.67%\n')),
    );
    expect(a.baseline).toBe(true);
    expect(a.datapaths).toEqual([]);
    const b = s.sample(
      snap(
        10_000,
        10,
        dp('system', 190, 30, 3, '  masks: hit:400 total:3 hit/pkt:1.67\n  cache: hit:100 hit-rate:41.67%\n'),
      ),
    );
    expect(b.interval_s).toBe(10);
    expect(b.datapaths[0]).toMatchObject({
      hit: 90,
      missed: 10,
      lost: 2,
      lookups: 100,
      fastpath_ratio: 0.9,
      slowpath_ratio: 0.1,
      lost_ratio: 0.02,
      masks_hit_per_pkt: 2,
      cache_hit_ratio: 0.5,
      tier_packets: null,
    });
  });

  it('computes userspace tier shares from pmd-stats-show deltas summed over threads', () => {
    const s = new OvsSampler();
    s.sample(
      snap(0, 10, dp('netdev', 0, 0, 0), {
        pmd: parsePmdStatsShow(pmd('main thread', {}) + pmd('pmd thread numa_id 0 core_id 1', {})),
      }),
    );
    const r = s.sample(
      snap(1000, 10, dp('netdev', 90, 8, 2), {
        pmd: parsePmdStatsShow(
          pmd('main thread', { megaflow: 10, ok: 8 }) +
            pmd('pmd thread numa_id 0 core_id 1', { emc: 60, smc: 10, megaflow: 10, failed: 2 }),
        ),
      }),
    ).datapaths[0]!;
    expect(r).toMatchObject({
      lookups: 100,
      fastpath_ratio: 0.9,
      slowpath_ratio: 0.1,
      tier_packets: 100,
      emc: 60,
      megaflow: 20,
      upcall_ok: 8,
      upcall_failed: 2,
    });
    expect(r.share_emc).toBeCloseTo(0.6);
    expect(r.share_megaflow).toBeCloseTo(0.2);
    expect(r.share_upcall_failed).toBeCloseTo(0.02);
  });

  it('treats a counter decrease (pmd-stats-clear) as a reset: events, no record, no negative value later', () => {
    const s = new OvsSampler();
    s.sample(
      snap(0, 10, dp('netdev', 500, 50, 0), { pmd: parsePmdStatsShow(pmd('main thread', { megaflow: 500, ok: 50 })) }),
    );
    const r = s.sample(
      snap(1000, 10, dp('netdev', 3, 1, 0), { pmd: parsePmdStatsShow(pmd('main thread', { megaflow: 3, ok: 1 })) }),
    );
    expect(r.datapaths).toEqual([]);
    expect(r.events.map((e) => [e.scope, e.reason])).toEqual([
      ['datapath', 'counter_decrease'],
      ['pmd', 'counter_decrease'],
    ]);
    const n = s.sample(
      snap(2000, 10, dp('netdev', 13, 1, 0), { pmd: parsePmdStatsShow(pmd('main thread', { megaflow: 13, ok: 1 })) }),
    );
    expect(n.events).toEqual([]);
    expect(n.datapaths[0]).toMatchObject({ hit: 10, missed: 0, fastpath_ratio: 1, megaflow: 10 });
  });

  it('treats a new vswitchd pid as a reset even when counters grew', () => {
    const s = new OvsSampler();
    s.sample(snap(0, 10, dp('netdev', 5, 5, 0)));
    const r = s.sample(snap(1000, 11, dp('netdev', 50, 50, 0)));
    expect(r.baseline).toBe(true);
    expect(r.events).toMatchObject([{ scope: 'vswitchd', reason: 'new_pid', detail: 'pid 10 → 11' }]);
    expect(r.datapaths).toEqual([]);
    expect(s.sample(snap(2000, 11, dp('netdev', 60, 50, 0))).datapaths[0]).toMatchObject({ hit: 10, missed: 0 });
  });

  it('reports a reset when a PMD thread disappears', () => {
    const s = new OvsSampler();
    s.sample(
      snap(0, 10, dp('netdev', 5, 5, 0), {
        pmd: parsePmdStatsShow(pmd('main thread', { megaflow: 5 }) + pmd('pmd thread numa_id 0 core_id 1', { emc: 5 })),
      }),
    );
    const r = s.sample(
      snap(1000, 10, dp('netdev', 6, 5, 0), { pmd: parsePmdStatsShow(pmd('main thread', { megaflow: 6 })) }),
    );
    expect(r.events).toMatchObject([{ scope: 'pmd', reason: 'thread_gone' }]);
    expect(r.datapaths[0]!.tier_packets).toBeNull();
  });

  const mapping: PortMapping[] = [
    {
      bridge: 'br0',
      datapath_type: 'netdev',
      port: 'vnet0',
      interface: 'vnet0',
      ofport: 1,
      type: '',
      owner_kind: 'vm',
      owner_id: 'vm-a',
      vm_uuid: '',
      vm_id: 'vm-a',
      container_id: '',
      iface_id: '',
      attached_mac: '',
      mac_in_use: '',
      link_state: 'up',
      external_ids: { 'vm-id': 'vm-a' },
    },
  ];
  const iface = (ofport: number, rx: number, txBytes: number, updated_ms: number | null = null) =>
    new Map([
      [
        'vnet0',
        {
          ofport,
          updated_ms,
          stats: new Map([
            ['rx_packets', BigInt(rx)],
            ['tx_bytes', BigInt(txBytes)],
          ]),
        },
      ],
    ]);

  it('computes per-port rates from Interface statistics with the owner, and resets on a decrease or a new ofport', () => {
    const s = new OvsSampler();
    s.sample(snap(0, 10, '', { mapping, interfaces: iface(1, 100, 1000, 0) }));
    const r = s.sample(snap(2000, 10, '', { mapping, interfaces: iface(1, 300, 5000, 2000) }));
    expect(r.ports[0]).toMatchObject({
      interface: 'vnet0',
      owner_kind: 'vm',
      owner_id: 'vm-a',
      rx_pps: 100,
      tx_bytes_ps: 2000,
      rx_packets_total: 300n,
      rx_dropped_ps: 0,
    });
    const d = s.sample(snap(4000, 10, '', { mapping, interfaces: iface(1, 10, 5000, 4000) }));
    expect(d.ports).toEqual([]);
    expect(d.events).toMatchObject([{ scope: 'port', subject: 'vnet0', reason: 'counter_decrease' }]);
    const o = s.sample(snap(6000, 10, '', { mapping, interfaces: iface(2, 20, 5000, 6000) }));
    expect(o.events).toMatchObject([{ scope: 'port', reason: 'ofport_changed' }]);
  });

  it('spans port rates over the statistics updates, and repeats them while vswitchd has not refreshed', () => {
    const s = new OvsSampler();
    s.sample(snap(0, 10, '', { mapping, interfaces: iface(1, 100, 0, 500) }));
    const r = s.sample(snap(7000, 10, '', { mapping, interfaces: iface(1, 600, 0, 5500) }));
    expect(r.ports[0]).toMatchObject({ rx_pps: 100, stats_span_s: 5, stats_age_s: 1.5, interval_s: 7 });
    const again = s.sample(snap(9000, 10, '', { mapping, interfaces: iface(1, 600, 0, 5500) }));
    expect(again.ports[0]).toMatchObject({ rx_pps: 100, stats_span_s: 5, stats_age_s: 3.5, ts_ms: 9000 });
    const next = s.sample(snap(11000, 10, '', { mapping, interfaces: iface(1, 700, 0, 10500) }));
    expect(next.ports[0]).toMatchObject({ rx_pps: 20, stats_span_s: 5 });
  });

  it('waits for a timed statistics update when the baseline was read at connection (unknown age)', () => {
    const s = new OvsSampler();
    s.sample(snap(0, 10, '', { mapping, interfaces: iface(1, 100, 0, null) }));
    expect(s.sample(snap(2000, 10, '', { mapping, interfaces: iface(1, 900, 0, 1500) })).ports).toEqual([]);
    expect(s.sample(snap(7000, 10, '', { mapping, interfaces: iface(1, 1400, 0, 6500) })).ports[0]).toMatchObject({
      rx_pps: 100,
      stats_span_s: 5,
    });
  });

  it('ranks the interval top megaflows by packet delta, flags fresh ones, and estimates the port fastpath share', () => {
    const s = new OvsSampler({ megaflowsTop: 2 });
    const ports = (rx: number) => `  port 1: vnet0\n    RX packets:${rx} errors:0 dropped:0 overruns:0 frame:0\n`;
    const flow = (m: string, p: number) =>
      `recirc_id(0),in_port(1),${m}, packets:${p}, bytes:${p * 100}, used:0.1s, actions:2\n`;
    const dump1 = parseDumpFlows(flow('eth_type(0x0800)', 100) + flow('eth_type(0x0806)', 5));
    const dump2 = parseDumpFlows(
      flow('eth_type(0x0800)', 190) + flow('eth_type(0x0806)', 6) + flow('eth_type(0x86dd)', 3),
    );
    const interfaces = iface(1, 0, 0, 0);
    s.sample(
      snap(0, 10, dp('netdev', 0, 0, 0, '', ports(110)), {
        megaflows: new Map([['netdev@ovs-netdev', dump1]]),
        mapping,
        interfaces,
      }),
    );
    const r = s.sample(
      snap(1000, 10, dp('netdev', 0, 0, 0, '', ports(210)), {
        megaflows: new Map([['netdev@ovs-netdev', dump2]]),
        mapping,
        interfaces: iface(1, 0, 0, 1000),
      }),
    );
    expect(r.megaflows.map((m) => [m.rank, m.match.split(',')[2], m.packets, m.bytes, m.fresh])).toEqual([
      [1, 'eth_type(0x0800)', 90, 9000, false],
      [2, 'eth_type(0x86dd)', 3, 300, true],
    ]);
    expect(r.megaflows[0]!.in_port).toBe('1');
    expect(r.ports[0]!.fastpath_est).toBeCloseTo(0.94);
  });
});
