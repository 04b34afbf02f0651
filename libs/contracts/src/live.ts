/**
 * The live path: what a collector publishes (frame batches, flow updates, OVS rates, capture health,
 * alerts) and the one seam the API's WebSocket gateway subscribes to.
 *
 * Embedded mode: `InProcessLiveBus` (apps/api) implements `LiveBus` with plain function calls.
 * Scale-out: a NATS transport implements the same `LiveSource` on the API side and `LivePublisher` on
 * the collector side; every message that crosses the wire is one of the zod schemas below
 * (`LiveEnvelope`), frame batches travel as their raw record buffer (see `LiveFrameBatch`).
 */
import { z } from 'zod';

/**
 * A batch of captured frames exactly as libs/pcap delivers it (`PacketBatch`), plus where it came
 * from. Record at byte offset `off` (little-endian): u32 ts_sec, u32 ts_nsec, u32 caplen,
 * u32 wirelen, caplen bytes, padding to a multiple of 4. Structural, so contracts needs no pcap import.
 * The buffer is only valid during the `onFrames` call: a subscriber that keeps data copies it.
 */
export interface LiveFrameBatch {
  readonly iface: string;
  /** DLT value as libpcap reports it (1 = Ethernet, 101 = raw IP, 113/276 = Linux cooked). */
  readonly linkType: number;
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly count: number;
  readonly byteLength: number;
}

export const LIVE_RECORD_HEADER = 16;

/** Decoded fields of one frame, as the WS `frames` message carries them. Built only on demand. */
export const FrameSummarySchema = z.object({
  /** Capture timestamp, nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  ts: z.string().regex(/^\d{1,20}$/),
  iface: z.string(),
  caplen: z.number().int().nonnegative(),
  len: z.number().int().nonnegative(),
  /** One line, tcpdump-like: `10.200.0.1.4000 > 10.200.0.2.5000: UDP, length 12`. */
  summary: z.string(),
  proto: z.string().optional(),
  src: z.string().optional(),
  dst: z.string().optional(),
  sport: z.number().int().min(0).max(65535).optional(),
  dport: z.number().int().min(0).max(65535).optional(),
  vlan: z.number().int().min(0).max(4095).optional(),
  /** Captured bytes, base64, at most `live.rawMaxBytes` of them (only with `raw: true`). */
  raw: z.string().optional(),
  rawTruncated: z.boolean().optional(),
});
export type FrameSummary = z.infer<typeof FrameSummarySchema>;

/**
 * Turns the bytes of one frame into its summary. The collector passes libs/packet's formatter;
 * the API has a small fallback. Called only when a subscription matched the frame.
 */
export interface FrameSummarizer {
  summarize(buf: Uint8Array, off: number, caplen: number, wirelen: number, linkType: number): FrameSummaryFields;
}
export type FrameSummaryFields = Pick<FrameSummary, 'summary' | 'proto' | 'src' | 'dst' | 'sport' | 'dport' | 'vlan'>;

export const FlowUpdateSchema = z.object({
  iface: z.string(),
  /** Stable flow id (hash of the canonical key) so updates of one flow can be joined. */
  flowId: z.string(),
  proto: z.number().int().min(0).max(255),
  vlan: z.number().int().min(0).max(4095),
  /** IP addresses as text; '' for a flow that is not IP (then etherType and the MACs say what it is). */
  srcAddr: z.string(),
  dstAddr: z.string(),
  /** EtherType of a flow that is not IP (ARP 2054, LLDP 35020…); 0 for IPv4 and IPv6. */
  etherType: z.number().int().min(0).max(65535),
  /** Initiator and responder MACs (aa:bb:cc:dd:ee:ff), '' where the capture has no link-layer addresses. */
  srcMac: z.string(),
  dstMac: z.string(),
  srcPort: z.number().int().min(0).max(65535),
  dstPort: z.number().int().min(0).max(65535),
  /** Totals since the flow started, per direction (a = src→dst, b = dst→src). */
  packetsA: z.number().int().nonnegative(),
  bytesA: z.number().int().nonnegative(),
  packetsB: z.number().int().nonnegative(),
  bytesB: z.number().int().nonnegative(),
  firstSeenMs: z.number().int().nonnegative(),
  lastSeenMs: z.number().int().nonnegative(),
  /** 'interim' while the flow lives, then 'idle' | 'active' | 'evicted' | 'fin' | 'rst' when it ends. */
  state: z.enum(['interim', 'idle', 'active', 'evicted', 'fin', 'rst', 'capture_end']),
});
export type FlowUpdate = z.infer<typeof FlowUpdateSchema>;

export const OvsRateSchema = z.object({
  bridge: z.string(),
  datapath: z.string(),
  intervalMs: z.number().int().positive(),
  hitsPerS: z.number().nonnegative(),
  missesPerS: z.number().nonnegative(),
  lostPerS: z.number().nonnegative(),
  /** hits / (hits + misses) over the interval, null when there was no lookup. */
  hitRate: z.number().min(0).max(1).nullable(),
  flows: z.number().int().nonnegative(),
  /** Userspace datapath per-tier hits per second (emc, smc, megaflow, upcall…). */
  tiers: z.record(z.string(), z.number().nonnegative()),
  counterResets: z.number().int().nonnegative(),
});
export type OvsRate = z.infer<typeof OvsRateSchema>;

export const CaptureHealthSchema = z.object({
  iface: z.string(),
  running: z.boolean(),
  /** Cumulative counters since the capture started. */
  packets: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  kernelDrops: z.number().int().nonnegative(),
  ifDrops: z.number().int().nonnegative(),
  malformed: z.number().int().nonnegative(),
  error: z.string().optional(),
});
export type CaptureHealth = z.infer<typeof CaptureHealthSchema>;

/** One periodic snapshot of a collector: the source of /readyz and most of /metrics. */
export const HealthSnapshotSchema = z.object({
  collector: z.string(),
  atMs: z.number().int().nonnegative(),
  captures: z.array(CaptureHealthSchema),
  flowsActive: z.number().int().nonnegative(),
  flowsEvicted: z.number().int().nonnegative(),
  /** Storage batch writer: rows written, batches written, last insert latency, spool size. */
  batchRows: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  batchLatencyMs: z.number().nonnegative(),
  spoolBytes: z.number().int().nonnegative(),
});
export type HealthSnapshot = z.infer<typeof HealthSnapshotSchema>;

export const AlertSchema = z.object({
  name: z.string(),
  state: z.enum(['pending', 'firing', 'resolved']),
  severity: z.enum(['info', 'warning', 'critical']),
  iface: z.string().optional(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  atMs: z.number().int().nonnegative(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** What the gateway listens to. Every callback is optional work: no subscriber, no cost. */
export interface LiveListener {
  onFrames?(batch: LiveFrameBatch): void;
  onFlows?(updates: readonly FlowUpdate[]): void;
  onOvs?(rates: readonly OvsRate[]): void;
  onHealth?(snapshot: HealthSnapshot): void;
  onAlert?(alert: Alert): void;
}

/** The API side of the seam. */
export interface LiveSource {
  subscribe(listener: LiveListener): () => void;
  /** The last health snapshot per collector (for /readyz, /metrics and new `health` subscribers). */
  lastHealth(): readonly HealthSnapshot[];
}

/** The collector side of the seam. */
export interface LivePublisher {
  /** True when somebody listens to frames: a collector may skip the call entirely otherwise. */
  readonly wantsFrames: boolean;
  publishFrames(batch: LiveFrameBatch): void;
  publishFlows(updates: readonly FlowUpdate[]): void;
  publishOvs(rates: readonly OvsRate[]): void;
  publishHealth(snapshot: HealthSnapshot): void;
  publishAlert(alert: Alert): void;
}

export interface LiveBus extends LiveSource, LivePublisher {}

/**
 * What a broker transport carries for everything but frames (NATS subject `nicscope.live.<kind>`).
 * Frames go as `{iface, linkType, count}` headers + the record buffer as the payload.
 */
export const LiveEnvelopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('flows'), updates: z.array(FlowUpdateSchema) }),
  z.object({ kind: z.literal('ovs'), rates: z.array(OvsRateSchema) }),
  z.object({ kind: z.literal('health'), snapshot: HealthSnapshotSchema }),
  z.object({ kind: z.literal('alert'), alert: AlertSchema }),
]);
export type LiveEnvelope = z.infer<typeof LiveEnvelopeSchema>;
