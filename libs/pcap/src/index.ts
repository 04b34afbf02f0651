/** libs/pcap: nicscope's own libpcap binding (live + offline, batches, nanosecond timestamps, drop stats). */
export { LinkType, RECORD_HEADER, MutableBatch, makeBatch, nextRecord, type PacketBatch } from './batch.js';
export { PcapError } from './errors.js';
export { OfflineCapture, type OfflineOptions } from './offline.js';
export { LiveCapture, LIVE_DEFAULTS, type LiveOptions, type CaptureStats, type Direction } from './live.js';
export { BpfFilter } from './filter.js';
export { CaptureSession, fileForInterface, type SessionOptions, type SessionInterface } from './session.js';
export { PcapWriter, type PcapWriterOptions } from './writer.js';
export { sniffHeader, sniffFile, type TsPrecision, type FileFormat } from './file-format.js';
export { loadAddon, findProjectRoot } from './native.js';

import { loadAddon } from './native.js';

/** libpcap's version string, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
export function pcapVersion(): string {
  return loadAddon().libVersion;
}

/** Interfaces libpcap can capture on in this network namespace (includes `any`). */
export function captureDevices(): Array<{ name: string; description: string | null; flags: number }> {
  return loadAddon().findAllDevs();
}
