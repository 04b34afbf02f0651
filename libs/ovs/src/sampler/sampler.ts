/**
 * The OVS sampler: pure computation over successive snapshots of cumulative counters (timers are
 * the caller's). Deltas give per-datapath fastpath/slowpath/lost ratios with the formula of the
 * datapath type, userspace tier shares, per-port rates and the interval's top megaflows. Any
 * counter that went down, a new vswitchd pid or a vanished PMD thread starts a new baseline for
 * what it affects and yields a reset event: a delta is never negative.
 */
import { type DpShow } from '../parsers/dpctl-show.js';
import { TIER_NAMES, sumTiers, type PmdThreadStats, type PmdTiers } from '../parsers/pmd-stats.js';
import { type FlowDump } from '../parsers/dump-flows.js';
import {
  type InterfaceCounters,
  type OvsDatapathRecord,
  type OvsMegaflowRecord,
  type OvsPortRecord,
  type OvsResetEvent,
  type OvsSample,
  type OvsSnapshot,
} from './types.js';

export interface SamplerOptions {
  /** Megaflows kept per interval (top by packets). 0 = none. */
  megaflowsTop?: number;
}

/** Kernel (`system`) datapath: lost ⊂ missed. Everything else (netdev, dummy) is userspace: lost is apart. */
export function isKernelDatapath(type: string): boolean {
  return type === 'system';
}

export interface Ratios {
  lookups: number;
  fastpath: number | null;
  slowpath: number | null;
  lost: number | null;
}

/** The formulas of reference/ovs.md, on deltas. */
export function datapathRatios(type: string, hit: number, missed: number, lost: number): Ratios {
  if (isKernelDatapath(type)) {
    const lookups = hit + missed;
    return lookups > 0
      ? { lookups, fastpath: hit / lookups, slowpath: missed / lookups, lost: lost / lookups }
      : { lookups, fastpath: null, slowpath: null, lost: null };
  }
  const lookups = hit + missed + lost;
  return lookups > 0
    ? { lookups, fastpath: hit / lookups, slowpath: (missed + lost) / lookups, lost: lost / lookups }
    : { lookups, fastpath: null, slowpath: null, lost: null };
}

const PORT_KEYS = [
  'rx_packets',
  'tx_packets',
  'rx_bytes',
  'tx_bytes',
  'rx_dropped',
  'tx_dropped',
  'rx_errors',
  'tx_errors',
] as const;

/** a - b as a number, or undefined when it would be negative (a reset). */
function delta(a: bigint | undefined, b: bigint | undefined): number | undefined {
  if (a === undefined || b === undefined) return a === undefined && b === undefined ? 0 : undefined;
  return a >= b ? Number(a - b) : undefined;
}

function inPortOf(match: string): string {
  const m = /(?:^|,)in_port\(([^)]*)\)/.exec(match);
  return m ? m[1]! : '';
}

interface DpBase {
  dp: DpShow;
}

interface PmdBase {
  threads: Map<string, PmdThreadStats>;
}

export class OvsSampler {
  private prev: OvsSnapshot | undefined;
  private readonly dpBase = new Map<string, DpBase>();
  private pmdBase: PmdBase | undefined;
  private readonly portBase = new Map<string, InterfaceCounters>();
  private readonly portLast = new Map<string, OvsPortRecord>();
  private readonly flowBase = new Map<string, Map<string, { packets: bigint; bytes: bigint }>>();
  private readonly top: number;
  /** Resets seen so far, by scope. */
  readonly resets = new Map<string, number>();

  constructor(opts: SamplerOptions = {}) {
    this.top = opts.megaflowsTop ?? 20;
  }

  sample(s: OvsSnapshot): OvsSample {
    const prev = this.prev;
    const interval_s = prev ? Math.max(1e-3, (s.at_ms - prev.at_ms) / 1000) : 0;
    const out: OvsSample = {
      ts_ms: s.at_ms,
      interval_s,
      baseline: !prev,
      datapaths: [],
      ports: [],
      megaflows: [],
      events: [],
    };
    const event = (e: Omit<OvsResetEvent, 'ts_ms' | 'kind'>): void => {
      out.events.push({ ts_ms: s.at_ms, kind: 'reset', ...e });
      this.resets.set(e.scope, (this.resets.get(e.scope) ?? 0) + 1);
    };

    if (prev && prev.vswitchd_pid !== null && s.vswitchd_pid !== null && prev.vswitchd_pid !== s.vswitchd_pid) {
      event({
        scope: 'vswitchd',
        subject: 'ovs-vswitchd',
        reason: 'new_pid',
        detail: `pid ${prev.vswitchd_pid} → ${s.vswitchd_pid}`,
      });
      this.dpBase.clear();
      this.pmdBase = undefined;
      this.flowBase.clear();
      out.baseline = true;
    }

    const dpFresh = new Set<string>();
    for (const dp of s.datapaths) {
      const base = this.dpBase.get(dp.name);
      this.dpBase.set(dp.name, { dp });
      if (!base) {
        dpFresh.add(dp.name);
        continue;
      }
      const rec = this.datapathRecord(s, interval_s, base.dp, dp);
      if (!rec) {
        dpFresh.add(dp.name);
        event({
          scope: 'datapath',
          subject: dp.name,
          reason: 'counter_decrease',
          detail: `lookups hit:${dp.hit} missed:${dp.missed} lost:${dp.lost} after hit:${base.dp.hit} missed:${base.dp.missed} lost:${base.dp.lost}`,
        });
        continue;
      }
      out.datapaths.push(rec);
    }
    for (const name of this.dpBase.keys()) if (!s.datapaths.some((d) => d.name === name)) this.dpBase.delete(name);

    this.pmdTiers(s, out, event);
    this.portRecords(s, prev, interval_s, out, event);
    this.megaflowRecords(s, prev, interval_s, dpFresh, out);
    this.prev = s;
    return out;
  }

  private datapathRecord(s: OvsSnapshot, interval_s: number, a: DpShow, b: DpShow): OvsDatapathRecord | undefined {
    const hit = delta(b.hit, a.hit);
    const missed = delta(b.missed, a.missed);
    const lost = delta(b.lost, a.lost);
    if (hit === undefined || missed === undefined || lost === undefined) return undefined;
    const r = datapathRatios(b.type, hit, missed, lost);
    const pkts = hit + missed;
    const maskHit = delta(b.mask_hit, a.mask_hit);
    const cacheHit = delta(b.cache_hit, a.cache_hit);
    return {
      ts_ms: s.at_ms,
      interval_s,
      datapath: b.name,
      dp_type: b.type,
      vswitchd_pid: s.vswitchd_pid,
      hit_total: b.hit ?? 0n,
      missed_total: b.missed ?? 0n,
      lost_total: b.lost ?? 0n,
      hit,
      missed,
      lost,
      lookups: r.lookups,
      fastpath_ratio: r.fastpath,
      slowpath_ratio: r.slowpath,
      lost_ratio: r.lost,
      flows: Number(b.flows ?? 0n),
      masks_hit_per_pkt: b.mask_hit !== undefined && maskHit !== undefined && pkts > 0 ? maskHit / pkts : null,
      cache_hit_ratio: b.cache_hit !== undefined && cacheHit !== undefined && pkts > 0 ? cacheHit / pkts : null,
      tier_packets: null,
      phwol: null,
      simple_match: null,
      emc: null,
      smc: null,
      megaflow: null,
      upcall_ok: null,
      upcall_failed: null,
      tier_lost: null,
      share_phwol: null,
      share_simple_match: null,
      share_emc: null,
      share_smc: null,
      share_megaflow: null,
      share_upcall_ok: null,
      share_upcall_failed: null,
      share_lost: null,
    };
  }

  /** Tier deltas from pmd-stats-show, onto the userspace datapath's record. */
  private pmdTiers(s: OvsSnapshot, out: OvsSample, event: (e: Omit<OvsResetEvent, 'ts_ms' | 'kind'>) => void): void {
    if (!s.pmd) {
      this.pmdBase = undefined;
      return;
    }
    const threads = new Map(s.pmd.map((t) => [t.thread, t]));
    const base = this.pmdBase;
    this.pmdBase = { threads };
    if (!base) return;
    let reset = '';
    for (const [name, old] of base.threads) {
      const cur = threads.get(name);
      if (!cur) {
        reset = `thread "${name}" gone`;
        break;
      }
      for (const k of [...TIER_NAMES, 'packets_received', 'recirculations'] as const) {
        if ((cur[k] ?? 0n) < (old[k] ?? 0n)) {
          reset = `${name}: ${k} ${old[k]} → ${cur[k]}`;
          break;
        }
      }
      if (reset) break;
    }
    if (reset) {
      event({
        scope: 'pmd',
        subject: 'dpif-netdev',
        reason: reset.includes('gone') ? 'thread_gone' : 'counter_decrease',
        detail: reset,
      });
      return;
    }
    const a = sumTiers([...base.threads.values()]);
    const b = sumTiers([...threads.values()]);
    const d = {} as Record<keyof PmdTiers, number>;
    let total = 0;
    for (const k of TIER_NAMES) {
      d[k] = Number(b[k] - a[k]);
      total += d[k];
    }
    const rec = out.datapaths.find((r) => !isKernelDatapath(r.dp_type));
    if (!rec) return;
    const share = (k: keyof PmdTiers): number | null => (total > 0 ? d[k] / total : null);
    Object.assign(rec, {
      tier_packets: total,
      phwol: d.phwol,
      simple_match: d.simple_match,
      emc: d.emc,
      smc: d.smc,
      megaflow: d.megaflow,
      upcall_ok: d.upcall_ok,
      upcall_failed: d.upcall_failed,
      tier_lost: d.lost,
      share_phwol: share('phwol'),
      share_simple_match: share('simple_match'),
      share_emc: share('emc'),
      share_smc: share('smc'),
      share_megaflow: share('megaflow'),
      share_upcall_ok: share('upcall_ok'),
      share_upcall_failed: share('upcall_failed'),
      share_lost: share('lost'),
    } satisfies Partial<OvsDatapathRecord>);
  }

  private portRecords(
    s: OvsSnapshot,
    prev: OvsSnapshot | undefined,
    interval_s: number,
    out: OvsSample,
    event: (e: Omit<OvsResetEvent, 'ts_ms' | 'kind'>) => void,
  ): void {
    const fast = prev ? this.portFastpath(s, prev) : new Map<string, number>();
    const seen = new Set<string>();
    for (const m of s.mapping) {
      const cur = s.interfaces.get(m.interface);
      if (!cur || cur.stats.size === 0) continue;
      seen.add(m.interface);
      const base = this.portBase.get(m.interface);
      const last = this.portLast.get(m.interface);
      if (!base || !prev) {
        this.portBase.set(m.interface, cur);
        continue;
      }
      if (base.ofport !== cur.ofport) {
        this.portBase.set(m.interface, cur);
        this.portLast.delete(m.interface);
        event({
          scope: 'port',
          subject: m.interface,
          reason: 'ofport_changed',
          detail: `ofport ${base.ofport} → ${cur.ofport}`,
        });
        continue;
      }
      // vswitchd refreshes Interface statistics every few seconds: with update times known, rates
      // span the two updates (not the sampling interval), and an interval without an update repeats
      // the last rates (stats_age_s grows) instead of showing a zero.
      if (base.updated_ms === null || cur.updated_ms === null) {
        // Statistics of unknown age (read at connection): the first live update becomes the baseline.
        this.portBase.set(m.interface, cur);
        this.portLast.delete(m.interface);
        continue;
      }
      if (cur.updated_ms === base.updated_ms) {
        if (last)
          out.ports.push({
            ...last,
            ts_ms: s.at_ms,
            interval_s,
            stats_age_s: (s.at_ms - cur.updated_ms) / 1000,
            fastpath_est: fast.get(m.interface) ?? null,
          });
        continue;
      }
      this.portBase.set(m.interface, cur);
      const d: Partial<Record<(typeof PORT_KEYS)[number], number>> = {};
      let bad = '';
      for (const k of PORT_KEYS) {
        const v = delta(cur.stats.get(k), base.stats.get(k));
        if (v === undefined) {
          bad = `${k} ${base.stats.get(k)} → ${cur.stats.get(k)}`;
          break;
        }
        d[k] = v;
      }
      if (bad) {
        this.portLast.delete(m.interface);
        event({ scope: 'port', subject: m.interface, reason: 'counter_decrease', detail: bad });
        continue;
      }
      const span = Math.max(1e-3, (cur.updated_ms - base.updated_ms) / 1000);
      const rate = (k: (typeof PORT_KEYS)[number]): number => (d[k] ?? 0) / span;
      const total = (k: (typeof PORT_KEYS)[number]): bigint => cur.stats.get(k) ?? 0n;
      const rec: OvsPortRecord = {
        ts_ms: s.at_ms,
        interval_s,
        stats_span_s: span,
        stats_age_s: (s.at_ms - cur.updated_ms) / 1000,
        bridge: m.bridge,
        datapath_type: m.datapath_type,
        port: m.port,
        interface: m.interface,
        ofport: m.ofport,
        type: m.type,
        owner_kind: m.owner_kind,
        owner_id: m.owner_id,
        iface_id: m.iface_id,
        attached_mac: m.attached_mac,
        rx_packets_total: total('rx_packets'),
        tx_packets_total: total('tx_packets'),
        rx_bytes_total: total('rx_bytes'),
        tx_bytes_total: total('tx_bytes'),
        rx_dropped_total: total('rx_dropped'),
        tx_dropped_total: total('tx_dropped'),
        rx_errors_total: total('rx_errors'),
        tx_errors_total: total('tx_errors'),
        rx_pps: rate('rx_packets'),
        tx_pps: rate('tx_packets'),
        rx_bytes_ps: rate('rx_bytes'),
        tx_bytes_ps: rate('tx_bytes'),
        rx_dropped_ps: rate('rx_dropped'),
        tx_dropped_ps: rate('tx_dropped'),
        rx_errors_ps: rate('rx_errors'),
        tx_errors_ps: rate('tx_errors'),
        fastpath_est: fast.get(m.interface) ?? null,
      };
      this.portLast.set(m.interface, rec);
      out.ports.push(rec);
    }
    for (const k of this.portBase.keys()) {
      if (!seen.has(k)) {
        this.portBase.delete(k);
        this.portLast.delete(k);
      }
    }
  }

  /**
   * Per interface: Σ megaflow Δpackets with in_port = its datapath port / Δ datapath RX packets of
   * that port, when both dumps and both dpctl readings exist and the pid did not change.
   */
  private portFastpath(s: OvsSnapshot, prev: OvsSnapshot): Map<string, number> {
    const out = new Map<string, number>();
    if (s.vswitchd_pid !== prev.vswitchd_pid) return out;
    for (const dp of s.datapaths) {
      const dump = s.megaflows.get(dp.name);
      const prevDump = prev.megaflows.get(dp.name);
      const prevDp = prev.datapaths.find((d) => d.name === dp.name);
      if (!dump || !prevDump || !prevDp || dump.skipped > 0) continue;
      const before = new Map(prevDump.flows.map((f) => [flowKey(f), f.packets]));
      const byPort = new Map<string, number>();
      for (const f of dump.flows) {
        const p0 = before.get(flowKey(f));
        const d = p0 !== undefined && f.packets >= p0 ? Number(f.packets - p0) : Number(f.packets);
        const ip = inPortOf(f.match);
        byPort.set(ip, (byPort.get(ip) ?? 0) + d);
      }
      for (const port of dp.ports) {
        const old = prevDp.ports.find((p) => p.port_no === port.port_no && p.name === port.name);
        const rx = delta(port.stats?.rx_packets, old?.stats?.rx_packets);
        if (!old || rx === undefined || rx === 0) continue;
        const flowPkts = (byPort.get(String(port.port_no)) ?? 0) + (byPort.get(port.name) ?? 0);
        out.set(port.name, Math.min(1, flowPkts / rx));
      }
    }
    return out;
  }

  private megaflowRecords(
    s: OvsSnapshot,
    prev: OvsSnapshot | undefined,
    interval_s: number,
    dpFresh: Set<string>,
    out: OvsSample,
  ): void {
    // A datapath without a dump this time (skipped: too many flows) loses its baseline.
    for (const dp of this.flowBase.keys()) if (!s.megaflows.has(dp)) this.flowBase.delete(dp);
    for (const [dp, dump] of s.megaflows) {
      const base = this.flowBase.get(dp);
      const next = new Map<string, { packets: bigint; bytes: bigint }>();
      for (const f of dump.flows) next.set(flowKey(f), { packets: f.packets, bytes: f.bytes });
      this.flowBase.set(dp, next);
      if (!base || !prev || dpFresh.has(dp) || this.top === 0) continue;
      const recs: OvsMegaflowRecord[] = [];
      for (const f of dump.flows) {
        const old = base.get(flowKey(f));
        const fresh = old === undefined || f.packets < old.packets || f.bytes < old.bytes;
        const packets = fresh ? Number(f.packets) : Number(f.packets - old.packets);
        const bytes = fresh ? Number(f.bytes) : Number(f.bytes - old.bytes);
        if (packets === 0 && !fresh) continue;
        recs.push({
          ts_ms: s.at_ms,
          interval_s,
          datapath: dp,
          rank: 0,
          thread: f.thread,
          ufid: f.ufid,
          in_port: inPortOf(f.match),
          match: f.match,
          actions: f.actions,
          packets,
          bytes,
          packets_total: f.packets,
          used_s: f.used_s,
          fresh,
        });
      }
      recs.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || a.match.localeCompare(b.match));
      recs.length = Math.min(recs.length, this.top);
      recs.forEach((r, i) => (r.rank = i + 1));
      out.megaflows.push(...recs);
    }
  }
}

/** A megaflow's identity across dumps: the dumping thread (each PMD has its own table) + ufid, else + match. */
export function flowKey(f: FlowDump['flows'][number]): string {
  return `${f.thread}|${f.ufid || f.match}`;
}
