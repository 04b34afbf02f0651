/**
 * A second nicscope process started on the data directory of a running one (say `npm start` twice):
 * chDB's lock refuses it with a clear error, and it leaves the running process's staging files
 * alone (decision 0410), whose inserts go on. Real chDB in two real processes, no root.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows, Storage, type StorageConfig } from '../../libs/storage/src/index.js';
import { bundleFixture } from '../support/bundle.js';
import { currentRunId, runDir } from '../support/run.js';

const ROOT = join(__dirname, '../..');
const NOW_NS = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000_000n;

describe('a second process on the same data directory', () => {
  const out = join(runDir(currentRunId()), 'second-process');
  const dataDir = join(out, 'data');
  const cfg: StorageConfig = {
    dataDir,
    clickhouse: { url: '', user: 'default', password: '', database: 'sp', cluster: '', requestTimeoutMs: 30_000 },
    storage: { flushRows: 100, flushIntervalMs: 60_000, spoolMaxMb: 16, ttlRawDays: 7, ttlRollupDays: 90 },
  };
  let storage: Storage;
  let bundle: string;
  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    storage = await Storage.open(cfg, { collector: 'first' });
    bundle = await bundleFixture('test/storage/fixtures/open-child.ts', join(out, 'open-child.cjs'));
  }, 120_000);
  afterAll(async () => {
    await storage?.close();
    rmSync(out, { recursive: true, force: true });
  });

  const write = async (from: number, to: number): Promise<void> => {
    const w = storage.writer(flows);
    for (let i = from; i < to; i++) {
      w.row.setTs(NOW_NS + BigInt(i));
      w.row.setCollector('first');
      w.row.setIface('eth0');
      w.row.setFlowId(i);
      if (!w.finalize()) await w.drain();
    }
    await w.flushNow();
  };

  it('is refused with a clear error, and the running process keeps its staging files and goes on inserting', async () => {
    await write(0, 500);
    const staged = readdirSync(join(dataDir, 'chdb-staging'));
    expect(staged.length).toBeGreaterThan(0);

    const child = await promisify(execFile)(process.execPath, [bundle], {
      env: { ...process.env, DATA_DIR: dataDir, NODE_PATH: join(ROOT, 'node_modules') },
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect(child.stdout.trim()).toMatch(
      /^refused: embedded chDB at .* cannot be opened \(.*\); is another nicscope process using the data directory /,
    );
    expect(readdirSync(join(dataDir, 'chdb-staging'))).toEqual(staged);

    await write(500, 1000);
    const n = await storage.ch.query<{ n: string; u: string }>(
      "SELECT count() AS n, uniqExact(flow_id) AS u FROM sp.flows WHERE collector = 'first'",
    );
    expect(n).toEqual([{ n: '1000', u: '1000' }]);
    expect(storage.writer(flows).counters.insertErrors).toBe(0);
  });
});
