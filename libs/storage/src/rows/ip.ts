/** IP addresses into the 16 bytes of a ClickHouse IPv6 value (IPv4 v4-mapped), without throwing. */

/** Writes `v` at `out[off..off+16)`; returns false (and writes ::) when `v` is not an address. */
export function writeIp(v: string | Uint8Array | number, out: Uint8Array, off: number): boolean {
  if (typeof v === 'number') {
    writeV4Mapped(v >>> 0, out, off);
    return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  }
  if (typeof v !== 'string') {
    if (v.length === 16) {
      out.set(v, off);
      return true;
    }
    if (v.length === 4) {
      writeV4Mapped(((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0, out, off);
      return true;
    }
    out.fill(0, off, off + 16);
    return false;
  }
  if (v.indexOf(':') < 0) {
    const n = parseV4(v);
    writeV4Mapped(n < 0 ? 0 : n, out, off);
    if (n < 0) out.fill(0, off, off + 16);
    return n >= 0;
  }
  if (!parseV6(v, out, off)) {
    out.fill(0, off, off + 16);
    return false;
  }
  return true;
}

function writeV4Mapped(n: number, out: Uint8Array, off: number): void {
  out.fill(0, off, off + 10);
  writeV4MappedTail(n, out, off);
}

/**
 * The last six bytes of a v4-mapped address (::ffff:a.b.c.d) at `out[off..off+16)`, for a row whose
 * first ten bytes are already zero (a builder's rows start zeroed).
 */
export function writeV4MappedTail(n: number, out: Uint8Array, off: number): void {
  out[off + 10] = 0xff;
  out[off + 11] = 0xff;
  out[off + 12] = (n >>> 24) & 0xff;
  out[off + 13] = (n >>> 16) & 0xff;
  out[off + 14] = (n >>> 8) & 0xff;
  out[off + 15] = n & 0xff;
}

/** Dotted quad → u32, or -1. */
export function parseV4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return -1;
    const b = Number(p);
    if (b > 255) return -1;
    n = n * 256 + b;
  }
  return n;
}

const groups = new Uint16Array(8);

function parseV6(s: string, out: Uint8Array, off: number): boolean {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const words: number[] = [];
  const push = (list: string[], isLast: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (isLast && i === list.length - 1 && g.includes('.')) {
        const n = parseV4(g);
        if (n < 0) return false;
        words.push(n >>> 16, n & 0xffff);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      words.push(parseInt(g, 16));
    }
    return true;
  };
  if (!push(h, dbl < 0)) return false;
  const headLen = words.length;
  if (!push(t, true)) return false;
  const tailLen = words.length - headLen;
  if (dbl < 0 ? words.length !== 8 : words.length > 7) return false;
  groups.fill(0);
  for (let i = 0; i < headLen; i++) groups[i] = words[i]!;
  for (let i = 0; i < tailLen; i++) groups[8 - tailLen + i] = words[headLen + i]!;
  for (let i = 0; i < 8; i++) {
    out[off + 2 * i] = groups[i]! >>> 8;
    out[off + 2 * i + 1] = groups[i]! & 0xff;
  }
  return true;
}
