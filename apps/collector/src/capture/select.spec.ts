import { describe, expect, it } from 'vitest';
import { interfaceSelector } from './select.js';

const ifs = [
  { name: 'eth0', kind: 'physical' },
  { name: 'lo', kind: 'loopback' },
  { name: 'br0', kind: 'bridge' },
  { name: 'vnet3', kind: 'tap' },
  { name: 'veth1a2b', kind: 'veth' },
];
const names = (f: (i: (typeof ifs)[number]) => boolean): string[] => ifs.filter(f).map((i) => i.name);

describe(interfaceSelector.name, () => {
  it('takes every interface but loopback by default', () => {
    expect(names(interfaceSelector({ interfaces: ['*'], exclude: ['lo'], kinds: [] }))).toEqual([
      'eth0',
      'br0',
      'vnet3',
      'veth1a2b',
    ]);
  });

  it('matches * and ? wildcards and treats dots literally', () => {
    expect(names(interfaceSelector({ interfaces: ['vnet?', 'veth*'], exclude: [], kinds: [] }))).toEqual([
      'vnet3',
      'veth1a2b',
    ]);
    expect(
      interfaceSelector({ interfaces: ['eth0.100'], exclude: [], kinds: [] })({ name: 'eth0x100', kind: 'vlan' }),
    ).toBe(false);
  });

  it('filters by kind and lets exclude win over include', () => {
    expect(
      names(interfaceSelector({ interfaces: ['*'], exclude: ['veth*'], kinds: ['tap', 'veth', 'bridge'] })),
    ).toEqual(['br0', 'vnet3']);
  });
});
