/**
 * `dpctl/dump-flows [-m]`: one megaflow per line, `[ufid:U, ]match, packets:P, bytes:B, used:T[, flags:F]
 * [, offloaded:yes][, dp:tc], actions:A[, dp-extra-info:…]`, grouped under `flow-dump from …:`
 * headers by the userspace datapath. Bounded: at most `maxFlows` flows are kept (the rest are
 * counted as `skipped`), and lines that do not parse are counted, not thrown.
 */
import { counter, decimal, lines } from './common.js';

export interface Megaflow {
  /** `pmd on cpu core: 1`, `the main thread`, or '' (kernel: no header). */
  thread: string;
  ufid: string;
  match: string;
  packets: bigint;
  bytes: bigint;
  /** Seconds since last used; null for `never`. */
  used_s: number | null;
  flags: string;
  dp: string;
  offloaded: boolean;
  actions: string;
}

export interface FlowDump {
  flows: Megaflow[];
  /** Flows beyond maxFlows, not kept. */
  skipped: number;
  /** Lines that looked like neither a flow nor a header. */
  unparsed: number;
}

export function parseDumpFlows(text: string, maxFlows = 10_000): FlowDump {
  const out: FlowDump = { flows: [], skipped: 0, unparsed: 0 };
  let thread = '';
  for (const line of lines(text)) {
    const t = line.trim();
    if (t === '') continue;
    const h = /^flow-dump from (.*):$/.exec(t);
    if (h) {
      thread = h[1]!;
      continue;
    }
    if (out.flows.length >= maxFlows) {
      out.skipped++;
      continue;
    }
    const f = parseFlowLine(t, thread);
    if (f) out.flows.push(f);
    else out.unparsed++;
  }
  return out;
}

export function parseFlowLine(line: string, thread = ''): Megaflow | undefined {
  let rest = line;
  let ufid = '';
  const u = /^ufid:([0-9a-fA-F-]+),\s*/.exec(rest);
  if (u) {
    ufid = u[1]!;
    rest = rest.slice(u[0].length);
  }
  const at = rest.indexOf(', packets:');
  const act = rest.indexOf('actions:', at);
  if (at < 0 || act < 0) return undefined;
  const f: Megaflow = {
    thread,
    ufid,
    match: rest.slice(0, at),
    packets: 0n,
    bytes: 0n,
    used_s: null,
    flags: '',
    dp: '',
    offloaded: false,
    actions: '',
  };
  for (const field of rest.slice(at + 2, act).split(', ')) {
    const c = field.indexOf(':');
    if (c < 0) continue;
    const k = field.slice(0, c);
    const v = field.slice(c + 1).trim();
    if (k === 'packets') f.packets = counter(v) ?? 0n;
    else if (k === 'bytes') f.bytes = counter(v) ?? 0n;
    else if (k === 'used') f.used_s = v === 'never' ? null : (decimal(v.replace(/s$/, '')) ?? null);
    else if (k === 'flags') f.flags = v;
    else if (k === 'dp') f.dp = v;
    else if (k === 'offloaded') f.offloaded = v === 'yes';
  }
  let actions = rest.slice(act + 8);
  const extra = actions.lastIndexOf(', dp-extra-info:');
  if (extra >= 0) actions = actions.slice(0, extra);
  f.actions = actions.trim();
  return f;
}
