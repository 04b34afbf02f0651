/**
 * `dpctl/show [-s]`: one block per datapath (`netdev@ovs-netdev:`, `system@ovs-system:`), with
 * `lookups: hit:H missed:M lost:L`, `flows: F`, the kernel's `masks: hit:X total:Y hit/pkt:Z` and
 * `cache: hit:C hit-rate:R%`, and `port N: name (type[: options])` with, under `-s`, the RX/TX
 * counter lines. Unknown lines are ignored; counters OVS prints as `?` are left undefined.
 */
import { counter, decimal, lines, pairs } from './common.js';

export interface DpPortCounters {
  rx_packets?: bigint;
  rx_errors?: bigint;
  rx_dropped?: bigint;
  rx_overruns?: bigint;
  rx_frame?: bigint;
  tx_packets?: bigint;
  tx_errors?: bigint;
  tx_dropped?: bigint;
  tx_aborted?: bigint;
  tx_carrier?: bigint;
  collisions?: bigint;
  rx_bytes?: bigint;
  tx_bytes?: bigint;
}

export interface DpPort {
  /** Datapath port number: changes across restarts; key ports by name. */
  port_no: number;
  name: string;
  /** `tap`, `internal`, `vxlan`, `dpdk`… ; '' for a plain system device. */
  type: string;
  /** Whatever followed the type inside the parentheses (`packet_type=ptap`, queue config…). */
  options: string;
  stats?: DpPortCounters;
}

export interface DpShow {
  /** `netdev@ovs-netdev` */
  name: string;
  /** `netdev` (userspace) or `system` (kernel); the part before `@`. */
  type: string;
  hit?: bigint;
  missed?: bigint;
  lost?: bigint;
  flows?: bigint;
  /** Kernel only: mask lookups that hit, number of masks, average masks hit per packet. */
  mask_hit?: bigint;
  masks_total?: bigint;
  masks_hit_per_pkt?: number;
  /** Kernel only (newer): masks-cache hits and the rate OVS computed. */
  cache_hit?: bigint;
  cache_hit_rate_pct?: number;
  ports: DpPort[];
}

const HEADER = /^(\S+)@(\S+):\s*$/;
const PORT = /^\s+port (\d+): (\S+)(?: \((.*)\))?\s*$/;
const PORT_COUNTERS: Record<string, Partial<Record<string, keyof DpPortCounters>>> = {
  RX: { packets: 'rx_packets', errors: 'rx_errors', dropped: 'rx_dropped', overruns: 'rx_overruns', frame: 'rx_frame' },
  TX: {
    packets: 'tx_packets',
    errors: 'tx_errors',
    dropped: 'tx_dropped',
    aborted: 'tx_aborted',
    carrier: 'tx_carrier',
  },
};

export function parseDpctlShow(text: string): DpShow[] {
  const out: DpShow[] = [];
  let dp: DpShow | undefined;
  let port: DpPort | undefined;
  for (const line of lines(text)) {
    const h = HEADER.exec(line);
    if (h) {
      dp = { name: `${h[1]!}@${h[2]!}`, type: h[1]!, ports: [] };
      port = undefined;
      out.push(dp);
      continue;
    }
    if (!dp) continue;
    const t = line.trim();
    const p = PORT.exec(line);
    if (p) {
      const inner = p[3] ?? '';
      const colon = inner.indexOf(':');
      port = {
        port_no: Number(p[1]),
        name: p[2]!,
        type: (colon >= 0 ? inner.slice(0, colon) : inner).trim(),
        options: colon >= 0 ? inner.slice(colon + 1).trim() : '',
      };
      dp.ports.push(port);
      continue;
    }
    if (t.startsWith('lookups:')) {
      const kv = pairs(t);
      dp.hit = counter(kv.get('hit'));
      dp.missed = counter(kv.get('missed'));
      dp.lost = counter(kv.get('lost'));
    } else if (t.startsWith('flows:')) {
      dp.flows = counter(t.slice(6).trim());
    } else if (t.startsWith('masks:')) {
      const kv = pairs(t);
      dp.mask_hit = counter(kv.get('hit'));
      dp.masks_total = counter(kv.get('total'));
      dp.masks_hit_per_pkt = decimal(kv.get('hit/pkt'));
    } else if (t.startsWith('cache:')) {
      const kv = pairs(t);
      dp.cache_hit = counter(kv.get('hit'));
      dp.cache_hit_rate_pct = decimal(kv.get('hit-rate')?.replace(/%$/, ''));
    } else if (port && (t.startsWith('RX ') || t.startsWith('TX ') || t.startsWith('collisions:'))) {
      const st = (port.stats ??= {});
      if (t.includes('bytes:')) {
        const m = /RX bytes:(\S+).*TX bytes:(\S+)/.exec(t);
        if (m) {
          st.rx_bytes = counter(m[1]);
          st.tx_bytes = counter(m[2]);
        }
      } else if (t.startsWith('collisions:')) {
        st.collisions = counter(t.slice(11).trim());
      } else {
        const names = PORT_COUNTERS[t.slice(0, 2)]!;
        for (const [k, v] of pairs(t)) {
          const field = names[k];
          if (field) st[field] = counter(v);
        }
      }
    }
  }
  return out;
}
