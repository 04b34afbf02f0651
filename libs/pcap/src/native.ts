/**
 * Loads the libpcap addon (libs/pcap/native, built by scripts/setup.mjs with node-gyp). The
 * project root is found from this file's folder, so it works from libs/pcap/src (vitest) and from
 * dist/libs/pcap/src (nest build). Context-aware: every worker thread gets its own instance.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface NativeLiveOptions {
  device: string;
  snaplen: number;
  promisc: boolean;
  bufferSize: number;
  timeoutMs: number;
  immediate: boolean;
  direction: string;
  /** DLT to select with pcap_set_datalink, -1 = the device's default. */
  dataLink: number;
}

export interface NativeInfo {
  linkType: number;
  linkName: string;
  snaplen: number;
  nanoTs: boolean;
  warning: string;
  fd: number;
  fileMajor?: number;
  fileMinor?: number;
  swapped?: boolean;
}

export interface NativeHandle {
  openLive(opts: NativeLiveOptions): void;
  openOffline(path: string): void;
  setFilter(expr: string): void;
  /** Fills buf; out = [count, bytes, status 0 more | 1 end | 2 error]; returns the error text on status 2. */
  read(buf: Uint8Array, maxPackets: number, out: Uint32Array): number | string;
  start(buf: Uint8Array, onBatch: (count: number, bytes: number, error?: string) => void): void;
  stop(): void;
  stats(out?: Float64Array): { recv: number; drop: number; ifdrop: number } | undefined;
  info(): NativeInfo;
  close(): void;
}

export interface NativeFilter {
  test(buf: Uint8Array, off: number, caplen: number, wirelen: number): boolean;
  testBatch(buf: Uint8Array, count: number, out: Uint8Array): number;
  free(): void;
}

export interface NativeWriter {
  writeBatch(buf: Uint8Array, count: number): void;
  write(buf: Uint8Array, off: number, caplen: number, wirelen: number, tsSec: number, tsNsec: number): void;
  flush(): void;
  close(): void;
}

export interface NativeAddon {
  Handle: new () => NativeHandle;
  Filter: new (expr: string, linkType: number, snaplen: number) => NativeFilter;
  Writer: new (path: string, linkType: number, snaplen: number, nano: boolean) => NativeWriter;
  libVersion: string;
  findAllDevs(): Array<{ name: string; description: string | null; flags: number }>;
}

const ADDON_REL = join('libs', 'pcap', 'native', 'build', 'Release', 'nicscope_pcap.node');

/** The folder that holds libs/pcap/native, walking up from `from`. */
export function findProjectRoot(from: string = __dirname): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'libs', 'pcap', 'native', 'binding.gyp'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

let addon: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (addon) return addon;
  const root = findProjectRoot();
  const file = root ? join(root, ADDON_REL) : undefined;
  if (!file || !existsSync(file)) {
    throw new Error(`the libpcap addon is not built (${file ?? ADDON_REL} missing): run \`node scripts/setup.mjs\``);
  }
  const req = createRequire(__filename);
  addon = req(file) as NativeAddon;
  return addon;
}
