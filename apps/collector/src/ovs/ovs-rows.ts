/**
 * OVS sampler records (libs/ovs) into the ovs_datapath, ovs_ports and ovs_megaflows tables, and into
 * the live path's OvsRate messages. Cumulative counters are stored as read; ratios are those of the
 * interval, computed by the sampler with the formula of each datapath type.
 */
import { type OvsRate } from '@nicscope/contracts';
import { type OvsSample, type OvsSnapshot } from '@nicscope/ovs';
import { type BatchWriter, type ovsDatapath, type ovsMegaflows, type ovsPorts } from '@nicscope/storage';

const ms = (t: number): bigint => BigInt(Math.round(t)) * 1_000_000n;

export function writeOvsRows(
  s: OvsSample,
  snap: OvsSnapshot,
  collector: string,
  resets: number,
  w: {
    datapath: BatchWriter<typeof ovsDatapath>;
    ports: BatchWriter<typeof ovsPorts>;
    megaflows: BatchWriter<typeof ovsMegaflows>;
  },
): void {
  const ts = ms(s.ts_ms);
  for (const d of s.datapaths) {
    const shown = snap.datapaths.find((x) => x.name === d.datapath || `${x.type}@${x.name}` === d.datapath);
    w.datapath.append({
      ts,
      collector,
      datapath: d.datapath,
      dp_type: d.dp_type,
      lookups_hit: Number(d.hit_total),
      lookups_missed: Number(d.missed_total),
      lookups_lost: Number(d.lost_total),
      flows: d.flows,
      masks_hit: Number(shown?.mask_hit ?? 0n),
      masks_total: Number(shown?.masks_total ?? 0n),
      hit_ratio: d.fastpath_ratio ?? NaN,
      emc_hits: d.emc ?? 0,
      smc_hits: d.smc ?? 0,
      megaflow_hits: d.megaflow ?? 0,
      upcalls: d.upcall_ok ?? 0,
      upcalls_failed: d.upcall_failed ?? 0,
      counter_resets: resets,
    });
  }
  // Ports: every mapped interface with its cumulative OVSDB statistics, each sample (the sampler's
  // per-port rates need two statistics updates, which vswitchd makes only every ~5 s).
  for (const p of snap.mapping) {
    const st = snap.interfaces.get(p.interface)?.stats;
    const n = (k: string): number => Number(st?.get(k) ?? 0n);
    w.ports.append({
      ts,
      collector,
      bridge: p.bridge,
      port: p.port,
      interface: p.interface,
      ofport: p.ofport !== null && p.ofport > 0 ? p.ofport : 0,
      iface_type: p.type,
      external_ids: JSON.stringify({
        owner_kind: p.owner_kind,
        owner_id: p.owner_id,
        iface_id: p.iface_id,
        attached_mac: p.attached_mac,
        ...p.external_ids,
      }),
      rx_packets: n('rx_packets'),
      rx_bytes: n('rx_bytes'),
      rx_dropped: n('rx_dropped'),
      rx_errors: n('rx_errors'),
      tx_packets: n('tx_packets'),
      tx_bytes: n('tx_bytes'),
      tx_dropped: n('tx_dropped'),
      tx_errors: n('tx_errors'),
    });
  }
  for (const m of s.megaflows) {
    w.megaflows.append({
      ts,
      collector,
      datapath: m.datapath,
      rank: m.rank,
      ufid: m.ufid,
      match: m.match,
      actions: m.actions,
      packets: Number(m.packets_total),
      bytes: m.bytes,
      packets_delta: m.packets,
      used_ms: m.used_s === null ? 0 : Math.round(m.used_s * 1000),
    });
  }
}

/** The live path's view: per datapath rates and tier rates per second. */
export function ovsRates(s: OvsSample, resets: number): OvsRate[] {
  const perS = (n: number | null): number => (n === null || s.interval_s <= 0 ? 0 : n / s.interval_s);
  return s.datapaths.map((d) => {
    const tiers: Record<string, number> = {};
    for (const [k, v] of [
      ['phwol', d.phwol],
      ['simple_match', d.simple_match],
      ['emc', d.emc],
      ['smc', d.smc],
      ['megaflow', d.megaflow],
      ['upcall_ok', d.upcall_ok],
      ['upcall_failed', d.upcall_failed],
    ] as const)
      if (v !== null) tiers[k] = perS(v);
    return {
      bridge: '',
      datapath: d.datapath,
      intervalMs: Math.max(1, Math.round(s.interval_s * 1000)),
      hitsPerS: perS(d.hit),
      missesPerS: perS(d.missed),
      lostPerS: perS(d.lost),
      hitRate: d.fastpath_ratio,
      flows: d.flows,
      tiers,
      counterResets: resets,
    };
  });
}
