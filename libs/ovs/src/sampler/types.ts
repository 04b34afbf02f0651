/** What a collection produces (snapshot) and what the sampler emits (plain records, snake_case fields). */
import { type DpShow } from '../parsers/dpctl-show.js';
import { type PmdThreadStats } from '../parsers/pmd-stats.js';
import { type FlowDump } from '../parsers/dump-flows.js';
import { type PortMapping } from './mapping.js';

export interface InterfaceCounters {
  ofport: number | null;
  stats: Map<string, bigint>;
  /** When these statistics were last seen to change (ms); null when unknown (rates then span the sampling interval). */
  updated_ms: number | null;
}

/** Cumulative counters read at one moment. Sources fill what they can; the rest stays empty/null. */
export interface OvsSnapshot {
  at_ms: number;
  vswitchd_pid: number | null;
  datapaths: DpShow[];
  /** `dpif-netdev/pmd-stats-show` threads; null when not read (no userspace datapath). */
  pmd: PmdThreadStats[] | null;
  /** Megaflow dumps by datapath name; absent when not taken this time. */
  megaflows: Map<string, FlowDump>;
  /** Interface statistics from OVSDB, by interface name. */
  interfaces: Map<string, InterfaceCounters>;
  mapping: PortMapping[];
}

export function emptySnapshot(at_ms: number): OvsSnapshot {
  return {
    at_ms,
    vswitchd_pid: null,
    datapaths: [],
    pmd: null,
    megaflows: new Map(),
    interfaces: new Map(),
    mapping: [],
  };
}

/** One datapath over one interval (table `ovs_datapath`). Ratios are null when there was no lookup. */
export interface OvsDatapathRecord {
  ts_ms: number;
  interval_s: number;
  datapath: string;
  dp_type: string;
  vswitchd_pid: number | null;
  /** Cumulative counters as read (STYLE §14: store counters, rates are derived). */
  hit_total: bigint;
  missed_total: bigint;
  lost_total: bigint;
  /** Deltas over the interval. */
  hit: number;
  missed: number;
  lost: number;
  /** Kernel: hit + missed (lost ⊂ missed). Userspace: hit + missed + lost. */
  lookups: number;
  fastpath_ratio: number | null;
  slowpath_ratio: number | null;
  lost_ratio: number | null;
  flows: number;
  /** Kernel: Δmask_hit / (Δhit + Δmissed) of the interval; null for userspace. */
  masks_hit_per_pkt: number | null;
  /** Kernel masks-cache: Δcache_hit / (Δhit + Δmissed); null where OVS does not print it. */
  cache_hit_ratio: number | null;
  /** Userspace only: per-tier packet deltas and shares of all tiered packets; null otherwise. */
  tier_packets: number | null;
  phwol: number | null;
  simple_match: number | null;
  emc: number | null;
  smc: number | null;
  megaflow: number | null;
  upcall_ok: number | null;
  upcall_failed: number | null;
  tier_lost: number | null;
  share_phwol: number | null;
  share_simple_match: number | null;
  share_emc: number | null;
  share_smc: number | null;
  share_megaflow: number | null;
  share_upcall_ok: number | null;
  share_upcall_failed: number | null;
  share_lost: number | null;
}

/** One OVS interface over one interval (table `ovs_ports`). Rates are per second. */
export interface OvsPortRecord {
  ts_ms: number;
  interval_s: number;
  /** Seconds between the two statistics updates the rates come from (vswitchd refreshes them every ~5 s). */
  stats_span_s: number;
  /** Age of the newest statistics at ts_ms; null when update times are unknown. */
  stats_age_s: number | null;
  bridge: string;
  datapath_type: string;
  port: string;
  interface: string;
  ofport: number | null;
  type: string;
  owner_kind: string;
  owner_id: string;
  iface_id: string;
  attached_mac: string;
  rx_packets_total: bigint;
  tx_packets_total: bigint;
  rx_bytes_total: bigint;
  tx_bytes_total: bigint;
  rx_dropped_total: bigint;
  tx_dropped_total: bigint;
  rx_errors_total: bigint;
  tx_errors_total: bigint;
  rx_pps: number;
  tx_pps: number;
  rx_bytes_ps: number;
  tx_bytes_ps: number;
  rx_dropped_ps: number;
  tx_dropped_ps: number;
  rx_errors_ps: number;
  tx_errors_ps: number;
  /**
   * Share of the packets the datapath received on this port in the interval that were counted on
   * megaflows (fastpath), from dump-flows deltas / dpctl port RX delta; null without a dump.
   * An estimate: megaflows that expired within the interval take their counts with them.
   */
  fastpath_est: number | null;
}

/** One megaflow among the top N of an interval (table `ovs_megaflows`). */
export interface OvsMegaflowRecord {
  ts_ms: number;
  interval_s: number;
  datapath: string;
  rank: number;
  thread: string;
  ufid: string;
  in_port: string;
  match: string;
  actions: string;
  packets: number;
  bytes: number;
  packets_total: bigint;
  used_s: number | null;
  /** Not in the previous dump (installed by an upcall during the interval) or its counters restarted. */
  fresh: boolean;
}

export type ResetScope = 'vswitchd' | 'datapath' | 'pmd' | 'port' | 'megaflows';

export interface OvsResetEvent {
  ts_ms: number;
  kind: 'reset';
  scope: ResetScope;
  subject: string;
  reason: 'new_pid' | 'counter_decrease' | 'thread_gone' | 'ofport_changed';
  detail: string;
}

export interface OvsSample {
  ts_ms: number;
  interval_s: number;
  /** First sample, or the first after a vswitchd restart: only baselines were taken. */
  baseline: boolean;
  datapaths: OvsDatapathRecord[];
  ports: OvsPortRecord[];
  megaflows: OvsMegaflowRecord[];
  events: OvsResetEvent[];
}
