/** The flow record: what the flow table emits (numbers only; the table itself holds no strings). */

export const EndReason = { INTERIM: 0, FIN: 1, RST: 2, IDLE: 3, ACTIVE: 4, EVICTED: 5, CAPTURE_END: 6 } as const;
export const END_REASON_NAMES: readonly string[] = [
  'interim',
  'fin',
  'rst',
  'idle',
  'active',
  'evicted',
  'capture_end',
];

/**
 * One flow record, filled by the table into a reused object and handed to the sink synchronously.
 * Packets and bytes are DELTAS since the previous record of the same flow (an interim record, or an
 * active-timeout record); summing the records of a flow gives its totals. `fwd` is the direction of
 * the initiator (the first packet's sender; the SYN sender for TCP), `src` is the initiator.
 */
export interface FlowRecord {
  /** Interface index as given to `FlowTable.add` (the NDJSON formatter maps it to a name). */
  iface: number;
  /** Outer 802.1Q/802.1ad VLAN ids (0 = none), number of tags. */
  vlan: number;
  vlanInner: number;
  vlanCount: number;
  /** TunnelType (0 none, 1 VXLAN, 2 Geneve, 3 GRE) and VNI / GRE key. */
  tunnelType: number;
  tunnelId: number;
  /** 4, 6, or 0 for a non-IP flow (then keyed by MAC pair + etherType). */
  ipVersion: number;
  proto: number;
  etherType: number;
  /** Addresses: IPv4 in [0], IPv6 in [0..3], or a MAC as hi16 in [0] and lo32 in [1] for non-IP flows. */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  srcPort: number;
  dstPort: number;
  /** hasMac: 1 when the frames had an L2 address (Ethernet or Linux cooked source). */
  hasMac: number;
  srcMacHi: number;
  srcMacLo: number;
  dstMacHi: number;
  dstMacLo: number;
  packetsFwd: number;
  bytesFwd: number;
  packetsRev: number;
  bytesRev: number;
  /**
   * First and last packet of the flow (since its last active-timeout restart) as Unix epoch seconds
   * and nanoseconds: numbers, so that emitting a record makes no bigint.
   */
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  /**
   * Per direction, since the flow's last (re)start, as epoch seconds and nanoseconds: [0..3] first
   * and last packet initiator → responder, [4..7] responder → initiator; seconds -1 = no packet that
   * way. [8..9] is scratch space of the table.
   */
  readonly dirTimes: Float64Array;
  tcpFlagsFwd: number;
  tcpFlagsRev: number;
  /** TCP handshake RTT as seen at the capture point (SYN → ACK of the SYN-ACK), microseconds; -1 unknown. */
  rttUs: number;
  retransmits: number;
  outOfOrder: number;
  zeroWindows: number;
  resets: number;
  endReason: number;
}

export function newFlowRecord(): FlowRecord {
  return {
    iface: 0,
    vlan: 0,
    vlanInner: 0,
    vlanCount: 0,
    tunnelType: 0,
    tunnelId: 0,
    ipVersion: 0,
    proto: 0,
    etherType: 0,
    src: new Uint32Array(4),
    dst: new Uint32Array(4),
    srcPort: 0,
    dstPort: 0,
    hasMac: 0,
    srcMacHi: 0,
    srcMacLo: 0,
    dstMacHi: 0,
    dstMacLo: 0,
    packetsFwd: 0,
    bytesFwd: 0,
    packetsRev: 0,
    bytesRev: 0,
    firstSec: 0,
    firstNsec: 0,
    lastSec: 0,
    lastNsec: 0,
    dirTimes: new Float64Array(10),
    tcpFlagsFwd: 0,
    tcpFlagsRev: 0,
    rttUs: -1,
    retransmits: 0,
    outOfOrder: 0,
    zeroWindows: 0,
    resets: 0,
    endReason: 0,
  };
}
