import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const LIBS = ['packet', 'flow', 'pcap', 'netdev', 'ovs', 'storage', 'contracts', 'config'];
const alias = LIBS.map((l) => ({
  find: new RegExp(`^@nicscope/${l}(/.*)?$`),
  replacement: fileURLToPath(new URL(`./libs/${l}/src`, import.meta.url)) + '$1',
}));

export default defineConfig({
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
  resolve: { alias },
  plugins: [swc.vite({ module: { type: 'es6' } })],
});
