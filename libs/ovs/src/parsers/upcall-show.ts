/**
 * `upcall/show`: per datapath, `flows : (current C) (avg A) (max M) (limit L)`, `dump duration : Nms`,
 * `ufid enabled : true|false`, optional `offloaded flows : N`, then one `id: (keys K)` line per
 * revalidator thread.
 */
import { counter, lines } from './common.js';

export interface UpcallShow {
  dp: string;
  flows_current?: bigint;
  flows_avg?: bigint;
  flows_max?: bigint;
  flow_limit?: bigint;
  dump_duration_ms?: number;
  ufid_enabled?: boolean;
  offloaded_flows?: bigint;
  revalidators: { id: number; keys: bigint }[];
}

export function parseUpcallShow(text: string): UpcallShow[] {
  const out: UpcallShow[] = [];
  let cur: UpcallShow | undefined;
  for (const line of lines(text)) {
    const h = /^(\S+@\S+):\s*$/.exec(line);
    if (h) {
      cur = { dp: h[1]!, revalidators: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    let m: RegExpExecArray | null;
    if (t.startsWith('flows')) {
      const get = (k: string): bigint | undefined => counter(new RegExp(`\\(${k} (\\d+)\\)`).exec(t)?.[1]);
      cur.flows_current = get('current');
      cur.flows_avg = get('avg');
      cur.flows_max = get('max');
      cur.flow_limit = get('limit');
    } else if ((m = /^dump duration\s*:\s*(\d+)ms/.exec(t))) {
      cur.dump_duration_ms = Number(m[1]);
    } else if ((m = /^ufid enabled\s*:\s*(\w+)/.exec(t))) {
      cur.ufid_enabled = m[1] === 'true';
    } else if ((m = /^offloaded flows\s*:\s*(\d+)/.exec(t))) {
      cur.offloaded_flows = counter(m[1]);
    } else if ((m = /^(\d+):\s*\(keys (\d+)\)/.exec(t))) {
      cur.revalidators.push({ id: Number(m[1]), keys: counter(m[2]) ?? 0n });
    }
  }
  return out;
}
