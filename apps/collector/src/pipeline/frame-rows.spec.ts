import { describe, expect, it } from 'vitest';
import { macNumber, tsNanos } from './frame-rows.js';

describe(tsNanos.name, () => {
  it('reads libs/packet timestamps with nanoseconds and without', () => {
    expect(tsNanos('1795668065.082256571')).toBe(1795668065082256571n);
    expect(tsNanos('1795668065.5')).toBe(1795668065500000000n);
    expect(tsNanos('17')).toBe(17000000000n);
  });
});

describe(macNumber.name, () => {
  it('turns a MAC into its 48-bit number, and absent into 0', () => {
    expect(macNumber('ff:ff:ff:ff:ff:ff')).toBe(0xffffffffffff);
    expect(macNumber('02:00:00:00:00:01')).toBe(0x020000000001);
    expect(macNumber(undefined)).toBe(0);
  });
});
