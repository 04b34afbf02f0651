/** Small helpers shared by the ovs-appctl text parsers. */

/** A non-negative decimal counter as bigint; `?` (OVS prints it for an unavailable counter) and junk give undefined. */
export function counter(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^\d{1,20}$/.test(s)) return undefined;
  return BigInt(s);
}

export function decimal(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : undefined;
}

/** Splits text into lines without the trailing CR, dropping nothing. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Reads every `key:value` pair (value without spaces) of a line into `out`. */
export function pairs(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_/-]+):(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.set(m[1]!, m[2]!);
  return out;
}
