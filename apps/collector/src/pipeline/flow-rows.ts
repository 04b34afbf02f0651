/**
 * Flow records (float64 slots from a capture worker, flow-wire.ts) into the `flows` table's row
 * builder: no object per record, one scratch buffer for IPv6 addresses, bigint only for the
 * DateTime64 columns.
 */
import { END_REASON_NAMES, EndReason } from '@nicscope/flow';
import { TUNNEL_NAMES } from '@nicscope/packet';
import { type BatchWriter, type flows } from '@nicscope/storage';
import { S, SLOTS } from './flow-wire.js';

const NS = 1_000_000_000n;
const v6 = new Uint8Array(16);

function ip(slots: Float64Array, o: number, version: number): number | Uint8Array {
  if (version !== 6) return slots[o]! >>> 0;
  for (let i = 0; i < 4; i++) {
    const w = slots[o + i]! >>> 0;
    v6[i * 4] = w >>> 24;
    v6[i * 4 + 1] = (w >>> 16) & 0xff;
    v6[i * 4 + 2] = (w >>> 8) & 0xff;
    v6[i * 4 + 3] = w & 0xff;
  }
  return v6;
}

/**
 * Writes `count` records into the flows writer. Returns false when the writer is behind (the
 * caller awaits `writer.drain()` before its next batch: backpressure).
 */
export function writeFlowRows(
  slots: Float64Array,
  count: number,
  iface: string,
  collector: string,
  w: BatchWriter<typeof flows>,
): boolean {
  const r = w.row;
  let ok = true;
  for (let i = 0; i < count; i++) {
    const o = i * SLOTS;
    const version = slots[o + S.ipVersion]!;
    const end = slots[o + S.endReason]!;
    const last = BigInt(slots[o + S.lastSec]!) * NS + BigInt(slots[o + S.lastNsec]!);
    r.setTs(last);
    r.setCollector(collector);
    r.setRecordType(end === EndReason.INTERIM ? 'interim' : 'final');
    r.setFlowId(slots[o + S.flowId]!);
    r.setIface(iface);
    r.setVlan(slots[o + S.vlan]!);
    r.setTunnelType(TUNNEL_NAMES[slots[o + S.tunnelType]!] ?? '');
    r.setTunnelId(slots[o + S.tunnelId]!);
    r.setProto(slots[o + S.proto]!);
    r.setSrcIp(ip(slots, o + S.src0, version));
    r.setSrcPort(slots[o + S.srcPort]!);
    r.setDstIp(ip(slots, o + S.dst0, version));
    r.setDstPort(slots[o + S.dstPort]!);
    r.setSrcMac(slots[o + S.srcMac]!);
    r.setDstMac(slots[o + S.dstMac]!);
    r.setPacketsFwd(slots[o + S.totPFwd]!);
    r.setBytesFwd(slots[o + S.totBFwd]!);
    r.setPacketsRev(slots[o + S.totPRev]!);
    r.setBytesRev(slots[o + S.totBRev]!);
    r.setPacketsDeltaFwd(slots[o + S.pFwd]!);
    r.setBytesDeltaFwd(slots[o + S.bFwd]!);
    r.setPacketsDeltaRev(slots[o + S.pRev]!);
    r.setBytesDeltaRev(slots[o + S.bRev]!);
    r.setFirstTs(BigInt(slots[o + S.firstSec]!) * NS + BigInt(slots[o + S.firstNsec]!));
    r.setLastTs(last);
    r.setTcpFlagsFwd(slots[o + S.flagsFwd]!);
    r.setTcpFlagsRev(slots[o + S.flagsRev]!);
    const rtt = slots[o + S.rttUs]!;
    r.setRttUs(rtt > 0 ? rtt : 0);
    r.setRetransmits(slots[o + S.retransmits]!);
    r.setEndReason(end === EndReason.INTERIM ? '' : (END_REASON_NAMES[end] ?? ''));
    ok = w.finalize() && ok;
  }
  return ok;
}
