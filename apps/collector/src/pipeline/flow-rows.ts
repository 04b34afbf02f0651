/**
 * Flow records (float64 slots from a capture worker, flow-wire.ts) into the `flows` table's row
 * builder's column stores: no object, string or bigint per record.
 */
import { END_REASON_NAMES, EndReason } from '@nicscope/flow';
import { TUNNEL_NAMES } from '@nicscope/packet';
import { type BatchWriter, type flows, writeV4MappedTail } from '@nicscope/storage';
import { S, SLOTS } from './flow-wire.js';

// A module-level binding: the compiled import is a property read of the module object per call.
const v4Tail = writeV4MappedTail;

/**
 * Writes an address from its slots (one IPv4 number, or four IPv6 words) as 16 bytes at row `row`.
 * The builder's rows start zeroed, so an IPv4 address (v4-mapped, ::ffff:a.b.c.d) writes only its
 * last six bytes, and a flow that is not IP (its slots hold its MACs) leaves ::.
 */
function ip(store: Uint8Array, row: number, slots: Float64Array, o: number, version: number): void {
  const b = row * 16;
  if (version === 4) {
    v4Tail(slots[o]! >>> 0, store, b);
    return;
  }
  if (version !== 6) return;
  for (let i = 0; i < 4; i++) {
    const w = slots[o + i]! >>> 0;
    store[b + i * 4] = w >>> 24;
    store[b + i * 4 + 1] = (w >>> 16) & 0xff;
    store[b + i * 4 + 2] = (w >>> 8) & 0xff;
    store[b + i * 4 + 3] = w & 0xff;
  }
}

/**
 * Writes `count` records into the flows writer, straight into its column stores (the builder's
 * setters would cost a call and a check per value). Returns false when the writer is behind (the
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
  const num = (name: Parameters<typeof r.column>[0]): Float64Array => r.column(name) as Float64Array;
  const str = (name: Parameters<typeof r.column>[0]): string[] => r.column(name) as string[];
  const setTs = r.timeSetter('ts');
  const setFirstTs = r.timeSetter('first_ts');
  const setLastTs = r.timeSetter('last_ts');
  const cCollector = str('collector');
  const cIface = str('iface');
  const cTunnelType = str('tunnel_type');
  const cEndReason = str('end_reason');
  const cRecordType = num('record_type');
  const cFlowId = num('flow_id');
  const cVlan = num('vlan');
  const cTunnelId = num('tunnel_id');
  const cProto = num('proto');
  const cEtherType = num('ether_type');
  const cSrcIp = r.column('src_ip') as Uint8Array;
  const cDstIp = r.column('dst_ip') as Uint8Array;
  const cSrcPort = num('src_port');
  const cDstPort = num('dst_port');
  const cSrcMac = num('src_mac');
  const cDstMac = num('dst_mac');
  const cPFwd = num('packets_fwd');
  const cBFwd = num('bytes_fwd');
  const cPRev = num('packets_rev');
  const cBRev = num('bytes_rev');
  const cPdFwd = num('packets_delta_fwd');
  const cBdFwd = num('bytes_delta_fwd');
  const cPdRev = num('packets_delta_rev');
  const cBdRev = num('bytes_delta_rev');
  const cFlagsFwd = num('tcp_flags_fwd');
  const cFlagsRev = num('tcp_flags_rev');
  const cRtt = num('rtt_us');
  const cRetrans = num('retransmits');
  let ok = true;
  for (let i = 0; i < count; i++) {
    const o = i * SLOTS;
    const n = r.count;
    const version = slots[o + S.ipVersion]!;
    const end = slots[o + S.endReason]!;
    const interim = end === EndReason.INTERIM;
    const lastSec = slots[o + S.lastSec]!;
    const lastNsec = slots[o + S.lastNsec]!;
    setTs(lastSec, lastNsec);
    cCollector[n] = collector;
    cRecordType[n] = interim ? 1 : 2; // Enum8 'interim' = 1, 'final' = 2
    cFlowId[n] = slots[o + S.flowId]!;
    cIface[n] = iface;
    cVlan[n] = slots[o + S.vlan]!;
    cTunnelType[n] = TUNNEL_NAMES[slots[o + S.tunnelType]!] ?? '';
    cTunnelId[n] = slots[o + S.tunnelId]!;
    cProto[n] = slots[o + S.proto]!;
    cEtherType[n] = slots[o + S.etherType]!;
    ip(cSrcIp, n, slots, o + S.src0, version);
    cSrcPort[n] = slots[o + S.srcPort]!;
    ip(cDstIp, n, slots, o + S.dst0, version);
    cDstPort[n] = slots[o + S.dstPort]!;
    cSrcMac[n] = slots[o + S.srcMac]!;
    cDstMac[n] = slots[o + S.dstMac]!;
    cPFwd[n] = slots[o + S.totPFwd]!;
    cBFwd[n] = slots[o + S.totBFwd]!;
    cPRev[n] = slots[o + S.totPRev]!;
    cBRev[n] = slots[o + S.totBRev]!;
    cPdFwd[n] = slots[o + S.pFwd]!;
    cBdFwd[n] = slots[o + S.bFwd]!;
    cPdRev[n] = slots[o + S.pRev]!;
    cBdRev[n] = slots[o + S.bRev]!;
    setFirstTs(slots[o + S.firstSec]!, slots[o + S.firstNsec]!);
    setLastTs(lastSec, lastNsec);
    cFlagsFwd[n] = slots[o + S.flagsFwd]!;
    cFlagsRev[n] = slots[o + S.flagsRev]!;
    const rtt = slots[o + S.rttUs]!;
    cRtt[n] = rtt > 0 ? rtt : 0;
    cRetrans[n] = slots[o + S.retransmits]!;
    cEndReason[n] = interim ? '' : (END_REASON_NAMES[end] ?? '');
    ok = w.finalize() && ok;
  }
  return ok;
}
