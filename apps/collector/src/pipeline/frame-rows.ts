/** Sampled frame summaries (from a capture worker) into the `frames` table. */
import { type FrameSummary } from '@nicscope/packet';
import { type BatchWriter, type frames } from '@nicscope/storage';

const RX_MODE: Record<string, 'unicast' | 'broadcast' | 'multicast' | 'promisc' | 'outgoing' | 'unknown'> = {
  host: 'unicast',
  broadcast: 'broadcast',
  multicast: 'multicast',
  promisc: 'promisc',
  outgoing: 'outgoing',
  unknown: 'unknown',
};

/** "aa:bb:cc:dd:ee:ff" → the 48-bit number the UInt64 columns hold (0 when absent). */
export function macNumber(mac: string | undefined): number {
  if (!mac) return 0;
  const n = parseInt(mac.replace(/:/g, ''), 16);
  return Number.isFinite(n) ? n : 0;
}

/** libs/packet's timestamp text ("sec.nnnnnnnnn") → nanoseconds. */
export function tsNanos(ts: string): bigint {
  const dot = ts.indexOf('.');
  if (dot < 0) return BigInt(ts) * 1_000_000_000n;
  return (
    BigInt(ts.slice(0, dot)) * 1_000_000_000n +
    BigInt(
      ts
        .slice(dot + 1)
        .padEnd(9, '0')
        .slice(0, 9),
    )
  );
}

export function writeFrameRows(
  list: readonly FrameSummary[],
  sampleRate: number,
  collector: string,
  w: BatchWriter<typeof frames>,
): boolean {
  let ok = true;
  const r = w.row;
  for (const f of list) {
    r.setTs(tsNanos(f.ts));
    r.setCollector(collector);
    r.setIface(f.iface);
    r.setDirection(f.direction === 'in' || f.direction === 'out' ? f.direction : 'unknown');
    r.setRxMode(RX_MODE[f.rx_class] ?? 'unknown');
    r.setSampleRate(sampleRate);
    r.setWireLen(f.len);
    r.setCapLen(f.caplen);
    r.setSrcMac(macNumber(f.src_mac));
    r.setDstMac(macNumber(f.dst_mac));
    r.setVlan(f.vlan?.[0] ?? 0);
    r.setEthertype(f.ethertype ?? 0);
    r.setTunnelType(f.tunnel_type ?? '');
    r.setTunnelId(f.tunnel_id ?? 0);
    r.setProto(f.proto ?? 0);
    r.setSrcIp(f.src_ip ?? '::');
    r.setDstIp(f.dst_ip ?? '::');
    r.setSrcPort(f.src_port ?? 0);
    r.setDstPort(f.dst_port ?? 0);
    r.setTcpFlags(f.tcp_flags ?? 0);
    r.setMalformed(f.malformed ?? '');
    r.setSummary(f.summary);
    ok = w.finalize() && ok;
  }
  return ok;
}
