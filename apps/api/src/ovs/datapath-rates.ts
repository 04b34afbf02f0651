/**
 * Rates from cumulative OVS datapath counters: per consecutive pair of samples of one datapath,
 * deltas over the interval, hit rate = hits / (hits + misses), and a counter reset (a value going
 * down: vswitchd restarted) detected, counted, and that interval skipped.
 */
export interface DatapathSample {
  tsMs: number;
  collector: string;
  datapath: string;
  dpType: string;
  hits: number;
  misses: number;
  lost: number;
  flows: number;
  emcHits: number;
  smcHits: number;
  megaflowHits: number;
  upcalls: number;
}

export interface DatapathRate {
  tsMs: number;
  collector: string;
  datapath: string;
  dpType: string;
  intervalMs: number;
  hitsPerS: number;
  missesPerS: number;
  lostPerS: number;
  hitRate: number | null;
  flows: number;
  tiers: { emc: number; smc: number; megaflow: number; upcall: number };
}

const COUNTERS = ['hits', 'misses', 'lost', 'emcHits', 'smcHits', 'megaflowHits', 'upcalls'] as const;

/** Samples must be ordered by collector, datapath, time (the query does). */
export function datapathRates(samples: readonly DatapathSample[]): { rates: DatapathRate[]; resets: number } {
  const rates: DatapathRate[] = [];
  let resets = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a.collector !== b.collector || a.datapath !== b.datapath) continue;
    const dt = b.tsMs - a.tsMs;
    if (dt <= 0) continue;
    if (COUNTERS.some((k) => Number(b[k]) < Number(a[k]))) {
      resets++;
      continue;
    }
    const per = (k: (typeof COUNTERS)[number]): number => ((Number(b[k]) - Number(a[k])) * 1000) / dt;
    const dh = Number(b.hits) - Number(a.hits);
    const dm = Number(b.misses) - Number(a.misses);
    rates.push({
      tsMs: b.tsMs,
      collector: b.collector,
      datapath: b.datapath,
      dpType: b.dpType,
      intervalMs: dt,
      hitsPerS: per('hits'),
      missesPerS: per('misses'),
      lostPerS: per('lost'),
      hitRate: dh + dm > 0 ? dh / (dh + dm) : null,
      flows: Number(b.flows),
      tiers: { emc: per('emcHits'), smc: per('smcHits'), megaflow: per('megaflowHits'), upcall: per('upcalls') },
    });
  }
  return { rates, resets };
}
