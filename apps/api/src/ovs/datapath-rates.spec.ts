import { describe, expect, it } from 'vitest';
import { datapathRates, type DatapathSample } from './datapath-rates.js';

const s = (tsMs: number, hits: number, misses: number, datapath = 'ovs-netdev'): DatapathSample => ({
  tsMs,
  collector: 'c',
  datapath,
  dpType: 'netdev',
  hits,
  misses,
  lost: 0,
  flows: 1,
  emcHits: hits,
  smcHits: 0,
  megaflowHits: 0,
  upcalls: misses,
});

describe(datapathRates.name, () => {
  it('turns cumulative counters into per-second rates and a hit rate per interval', () => {
    const { rates, resets } = datapathRates([s(0, 0, 0), s(2000, 180, 20)]);
    expect(resets).toBe(0);
    expect(rates).toEqual([
      expect.objectContaining({
        tsMs: 2000,
        intervalMs: 2000,
        hitsPerS: 90,
        missesPerS: 10,
        hitRate: 0.9,
        tiers: { emc: 90, smc: 0, megaflow: 0, upcall: 10 },
      }),
    ]);
  });

  it('skips and counts an interval whose counters went down (vswitchd restarted)', () => {
    const { rates, resets } = datapathRates([s(0, 100, 10), s(1000, 5, 1), s(2000, 15, 1)]);
    expect(resets).toBe(1);
    expect(rates.map((r) => r.hitsPerS)).toEqual([10]);
  });

  it('never pairs samples of two datapaths, and gives no hit rate without lookups', () => {
    const { rates } = datapathRates([s(0, 10, 0, 'a'), s(1000, 10, 0, 'a'), s(1000, 99, 9, 'b')]);
    expect(rates).toHaveLength(1);
    expect(rates[0]!.hitRate).toBeNull();
  });
});
