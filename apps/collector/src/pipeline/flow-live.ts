/** Flow records (float64 slots, flow-wire.ts) as the live path's FlowUpdate messages. */
import { type FlowUpdate } from '@nicscope/contracts';
import { END_REASON_NAMES } from '@nicscope/flow';
import { ipv4ToString, ipv6ToString, macToString } from '@nicscope/packet';
import { S, SLOTS } from './flow-wire.js';

type State = FlowUpdate['state'];
const STATES = new Set<string>(['interim', 'idle', 'active', 'evicted', 'fin', 'rst', 'capture_end']);

function addr(slots: Float64Array, o: number, version: number): string {
  if (version === 4) return ipv4ToString(slots[o]! >>> 0);
  if (version === 6)
    return ipv6ToString(slots[o]! >>> 0, slots[o + 1]! >>> 0, slots[o + 2]! >>> 0, slots[o + 3]! >>> 0);
  return '';
}

/** A MAC slot (a 48-bit number, 0 when unknown) as text. */
function mac(v: number): string {
  return v === 0 ? '' : macToString(Math.floor(v / 0x100000000), v >>> 0);
}

export function flowUpdates(slots: Float64Array, count: number, iface: string): FlowUpdate[] {
  const out: FlowUpdate[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * SLOTS;
    const v = slots[o + S.ipVersion]!;
    const name = END_REASON_NAMES[slots[o + S.endReason]!] ?? 'interim';
    out.push({
      iface,
      flowId: String(slots[o + S.flowId]!),
      proto: slots[o + S.proto]!,
      vlan: slots[o + S.vlan]!,
      srcAddr: addr(slots, o + S.src0, v),
      dstAddr: addr(slots, o + S.dst0, v),
      etherType: slots[o + S.etherType]!,
      srcMac: mac(slots[o + S.srcMac]!),
      dstMac: mac(slots[o + S.dstMac]!),
      srcPort: slots[o + S.srcPort]!,
      dstPort: slots[o + S.dstPort]!,
      packetsA: slots[o + S.totPFwd]!,
      bytesA: slots[o + S.totBFwd]!,
      packetsB: slots[o + S.totPRev]!,
      bytesB: slots[o + S.totBRev]!,
      firstSeenMs: slots[o + S.firstSec]! * 1000 + Math.floor(slots[o + S.firstNsec]! / 1e6),
      lastSeenMs: slots[o + S.lastSec]! * 1000 + Math.floor(slots[o + S.lastNsec]! / 1e6),
      state: (STATES.has(name) ? name : 'interim') as State,
    });
  }
  return out;
}
