/**
 * What a capture file header says about its timestamp precision (libpcap converts every file to
 * nanoseconds for us; this only reports what the file itself carries).
 */
import { closeSync, openSync, readSync } from 'node:fs';

export type TsPrecision = 'micro' | 'nano';
export type FileFormat = 'pcap' | 'pcapng' | 'unknown';

export interface FileHeaderInfo {
  format: FileFormat;
  tsPrecision: TsPrecision;
}

/** Reads the first bytes of a pcap/pcapng file; pcapng: if_tsresol of the first interface. */
export function sniffHeader(bytes: Uint8Array): FileHeaderInfo {
  if (bytes.length < 4) return { format: 'unknown', tsPrecision: 'micro' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1) return { format: 'pcap', tsPrecision: 'micro' };
  if (magic === 0xa1b23c4d || magic === 0x4d3cb2a1) return { format: 'pcap', tsPrecision: 'nano' };
  if (magic !== 0x0a0d0d0a || bytes.length < 12) return { format: 'unknown', tsPrecision: 'micro' };
  const le = v.getUint32(8, true) === 0x1a2b3c4d;
  let off = v.getUint32(4, le); // skip the section header block
  while (off + 12 <= bytes.length) {
    const type = v.getUint32(off, le);
    const len = v.getUint32(off + 4, le);
    if (len < 12 || off + len > bytes.length) break;
    if (type === 1) {
      // Interface Description Block: options start after linktype(2) reserved(2) snaplen(4).
      let o = off + 16;
      const end = off + len - 4;
      while (o + 4 <= end) {
        const code = v.getUint16(o, le);
        const olen = v.getUint16(o + 2, le);
        if (code === 0) break;
        if (code === 9 && olen >= 1 && o + 4 < end) {
          const r = bytes[o + 4] ?? 6;
          // High bit clear: 10^-r seconds; set: 2^-(r & 0x7f). Finer than a microsecond → nano.
          const finer = (r & 0x80) === 0 ? r > 6 : (r & 0x7f) > 19;
          return { format: 'pcapng', tsPrecision: finer ? 'nano' : 'micro' };
        }
        o += 4 + ((olen + 3) & ~3);
      }
      return { format: 'pcapng', tsPrecision: 'micro' };
    }
    off += len;
  }
  return { format: 'pcapng', tsPrecision: 'micro' };
}

export function sniffFile(path: string): FileHeaderInfo {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = new Uint8Array(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return sniffHeader(buf.subarray(0, n));
  } catch {
    return { format: 'unknown', tsPrecision: 'micro' };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
