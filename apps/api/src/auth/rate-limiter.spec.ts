import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe(RateLimiter.name, () => {
  it('admits a minute worth of requests at once, then refills continuously, per key', () => {
    let now = 0;
    const rl = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
    now += 1000;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
    now += 120_000;
    for (let i = 0; i < 60; i++) expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
  });
});
