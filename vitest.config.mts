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
    // End-to-end tests run real kernels, daemons and captures in parallel on 2 cores; one retry
    // absorbs a timing casualty of that load. A test that fails twice fails the run.
    retry: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
  resolve: { alias },
  plugins: [swc.vite({ module: { type: 'es6' } })],
});
