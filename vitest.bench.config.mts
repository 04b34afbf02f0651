// Benchmarks (bench/*.bench.ts): run by `npm run bench [-- bench/<area>.bench.ts]`, never by `npm test`.
// Each prints ratios against a peer tool run in the same invocation and asserts its targets.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.mjs';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['bench/**/*.bench.ts'],
      fileParallelism: false,
      testTimeout: 900_000,
      hookTimeout: 300_000,
    },
  }),
);
