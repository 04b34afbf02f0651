/** Every failure of libs/pcap: the message names what was wrong (interface, filter, file) with libpcap's own text. */
export class PcapError extends Error {
  override name = 'PcapError';
}

/** Runs a native call and turns its Error into a PcapError with an optional prefix. */
export function wrapNative<T>(fn: () => T, prefix = ''): T {
  try {
    return fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new PcapError(prefix ? `${prefix}: ${msg}` : msg);
  }
}
