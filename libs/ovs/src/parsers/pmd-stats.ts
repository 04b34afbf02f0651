/**
 * `dpif-netdev/pmd-stats-show`: one block per thread (`main thread:`, `pmd thread numa_id 0 core_id 1:`)
 * of `key: value` lines. Both the current layout (OVS ≥ 2.10: `packets received`, `phwol hits`,
 * `simple match hits`, `emc hits`, `smc hits`, `megaflow hits`, `miss with success upcall`,
 * `miss with failed upcall`) and the older one (`emc hits:N`, `megaflow hits:N`, `miss:N`, `lost:N`,
 * tab-indented) are read. `mfex opt hits` is kept apart: it is a sub-count of the other tiers.
 */
import { counter, lines } from './common.js';

export interface PmdTiers {
  phwol: bigint;
  simple_match: bigint;
  emc: bigint;
  smc: bigint;
  megaflow: bigint;
  upcall_ok: bigint;
  upcall_failed: bigint;
  /** Only printed by old OVS (`lost:`); in OVS ≥ 2.10 lost packets are `miss with failed upcall`. */
  lost: bigint;
}

export const TIER_NAMES: readonly (keyof PmdTiers)[] = [
  'phwol',
  'simple_match',
  'emc',
  'smc',
  'megaflow',
  'upcall_ok',
  'upcall_failed',
  'lost',
];

export interface PmdThreadStats extends PmdTiers {
  /** `main thread` or `pmd thread numa_id 0 core_id 1`. */
  thread: string;
  packets_received?: bigint;
  recirculations?: bigint;
  mfex_opt?: bigint;
  idle_cycles?: bigint;
  processing_cycles?: bigint;
}

const KEYS: Record<string, keyof PmdThreadStats> = {
  'packets received': 'packets_received',
  'packet recirculations': 'recirculations',
  'phwol hits': 'phwol',
  'mfex opt hits': 'mfex_opt',
  'simple match hits': 'simple_match',
  'emc hits': 'emc',
  'smc hits': 'smc',
  'megaflow hits': 'megaflow',
  'miss with success upcall': 'upcall_ok',
  miss: 'upcall_ok',
  'miss with failed upcall': 'upcall_failed',
  lost: 'lost',
  'idle cycles': 'idle_cycles',
  'processing cycles': 'processing_cycles',
};

export function emptyTiers(): PmdTiers {
  return { phwol: 0n, simple_match: 0n, emc: 0n, smc: 0n, megaflow: 0n, upcall_ok: 0n, upcall_failed: 0n, lost: 0n };
}

export function parsePmdStatsShow(text: string): PmdThreadStats[] {
  const out: PmdThreadStats[] = [];
  let cur: PmdThreadStats | undefined;
  for (const line of lines(text)) {
    if (line.length === 0) continue;
    if (!/^\s/.test(line)) {
      const m = /^(.*\S):\s*$/.exec(line);
      if (m) {
        cur = { thread: m[1]!, ...emptyTiers() };
        out.push(cur);
      } else cur = undefined;
      continue;
    }
    if (!cur) continue;
    const m = /^\s+([A-Za-z. ]+?):\s*(\d+)\b/.exec(line);
    if (!m) continue;
    const key = KEYS[m[1]!];
    const v = counter(m[2]);
    if (key && key !== 'thread' && v !== undefined) cur[key] = v;
  }
  return out;
}

/** Sum of the tiers of all threads. */
export function sumTiers(threads: readonly PmdThreadStats[]): PmdTiers {
  const s = emptyTiers();
  for (const t of threads) for (const k of TIER_NAMES) s[k] += t[k];
  return s;
}
