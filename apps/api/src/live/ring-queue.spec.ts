import { describe, expect, it } from 'vitest';
import { RingQueue } from './ring-queue.js';

describe(RingQueue.name, () => {
  it('keeps FIFO order and drops the oldest entry when full, reporting its item count', () => {
    const q = new RingQueue(3);
    expect(q.push('a', 5)).toBe(0);
    expect(q.push('b', 6)).toBe(0);
    expect(q.push('c', 7)).toBe(0);
    expect(q.push('d', 8)).toBe(5);
    expect(q.size).toBe(3);
    expect([q.shift(), q.shift()]).toEqual(['b', 'c']);
    expect(q.push('e', 1)).toBe(0);
    expect(q.push('f', 1)).toBe(0);
    expect(q.push('g', 1)).toBe(8);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual(['e', 'f', 'g', undefined]);
  });

  it('wraps around many times without losing or reordering entries', () => {
    const q = new RingQueue(7);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < 5; i++) q.push(String(next++), 1);
      for (let i = 0; i < 5; i++) expect(q.shift()).toBe(String(expected++));
    }
    expect(q.size).toBe(0);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingQueue(0)).toThrow(/positive integer/);
    expect(() => new RingQueue(1.5)).toThrow(/positive integer/);
  });
});
