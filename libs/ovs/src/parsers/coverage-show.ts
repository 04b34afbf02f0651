/**
 * `coverage/show`: `name  r5s/sec r1m/sec r1h/sec   total: N` per event that was hit, then
 * `N events never hit`. Returns the totals (cumulative counters) by event name.
 */
import { counter, lines } from './common.js';

export interface CoverageShow {
  totals: Map<string, bigint>;
  never_hit?: number;
}

export function parseCoverageShow(text: string): CoverageShow {
  const out: CoverageShow = { totals: new Map() };
  for (const line of lines(text)) {
    let m = /^(\S+)\s+.*total:\s*(\d+)\s*$/.exec(line);
    if (m) {
      const v = counter(m[2]);
      if (v !== undefined) out.totals.set(m[1]!, v);
      continue;
    }
    m = /(\d+) events never hit/.exec(line);
    if (m) out.never_hit = Number(m[1]);
  }
  return out;
}
