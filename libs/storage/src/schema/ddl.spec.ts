import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouse } from '../clickhouse/clickhouse.js';
import { mergeSelectorDdl } from '../migrations/0014-modify-merge-selector.js';
import { widePartsDdl } from '../migrations/0016-modify-wide-part-rows.js';
import { compactRollupPartsDdl } from '../migrations/0017-modify-rollup-part-format.js';
import { FLOW_MERGE_SELECTOR_BASE } from '../migrations/0019-modify-merge-selector-30.js';
import { modifySettingDdl } from '../migrations/setting.js';
import { schemaMigrationsDdl } from '../migrations/runner.js';
import { addColumnDdl, createDatabaseDdl, createTableDdl, tableStatements, type DdlOptions } from './ddl.js';
import { ALL_TABLES, flows, flows1m } from './index.js';

const single: DdlOptions = { database: 'nicscope', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 };
const cluster: DdlOptions = { ...single, cluster: 'c1' };

describe(createTableDdl.name, () => {
  it('single node: MergeTree by day, ORDER BY from the declaration, TTL dropping whole parts, dedup window', () => {
    const ddl = createTableDdl(flows, single);
    expect(ddl).toMatch(/^CREATE TABLE IF NOT EXISTS `nicscope`\.`flows`\n\(/);
    expect(ddl).toContain(
      'ENGINE = MergeTree\nPARTITION BY toDate(`ts`)\nORDER BY (`iface`, `ts`, `proto`, `src_ip`, `dst_ip`)',
    );
    expect(ddl).toContain('TTL toDateTime(`ts`) + INTERVAL 7 DAY');
    expect(ddl).toContain('ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000');
    expect(ddl).toContain("`src_ip` IPv6 COMMENT 'initiator address (IPv4 v4-mapped)'");
    expect(ddl).toContain(
      "`ts` DateTime64(9, 'UTC') COMMENT 'time of the record (end of its interval)' CODEC(DoubleDelta, ZSTD(1))",
    );
    expect(ddl).toContain("`record_type` Enum8('interim' = 1, 'final' = 2)");
    expect(ddl).not.toContain('ON CLUSTER');
  });

  it('cluster: Replicated _local table ON CLUSTER plus a Distributed table over it', () => {
    const [local, dist] = tableStatements(flows, cluster);
    expect(local).toMatch(/^CREATE TABLE IF NOT EXISTS `nicscope`\.`flows_local` ON CLUSTER `c1`\n/);
    expect(local).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/nicscope/flows_local', '{replica}')",
    );
    expect(local).not.toContain('non_replicated_deduplication_window');
    expect(dist).toBe(
      'CREATE TABLE IF NOT EXISTS `nicscope`.`flows` ON CLUSTER `c1` AS `nicscope`.`flows_local`\nENGINE = Distributed(`c1`, `nicscope`, `flows_local`, rand())',
    );
    const rollup = createTableDdl(flows1m, cluster);
    expect(rollup).toContain(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/nicscope/flows_1m_local', '{replica}')",
    );
    expect(rollup).toContain("`packets` SimpleAggregateFunction(sum, UInt64) COMMENT 'packets, both directions'");
    expect(mergeSelectorDdl('flows_1m_local', cluster)).toBe(
      'ALTER TABLE `nicscope`.`flows_1m_local` ON CLUSTER `c1` MODIFY SETTING merge_selector_base = 10',
    );
    expect(modifySettingDdl('flows_local', cluster, 'merge_selector_base', FLOW_MERGE_SELECTOR_BASE)).toBe(
      'ALTER TABLE `nicscope`.`flows_local` ON CLUSTER `c1` MODIFY SETTING merge_selector_base = 30',
    );
    expect(widePartsDdl('flows_local', cluster)).toBe(
      'ALTER TABLE `nicscope`.`flows_local` ON CLUSTER `c1` MODIFY SETTING min_rows_for_wide_part = 250000',
    );
    expect(compactRollupPartsDdl('flows_1h_local', cluster)).toBe(
      'ALTER TABLE `nicscope`.`flows_1h_local` ON CLUSTER `c1` MODIFY SETTING min_rows_for_wide_part = 100000000',
    );
    // A column added by a migration (0018), on the local table and on the Distributed one over it.
    for (const name of ['flows_local', 'flows'])
      expect(addColumnDdl(flows, 'ether_type', name, cluster)).toBe(
        `ALTER TABLE \`nicscope\`.\`${name}\` ON CLUSTER \`c1\` ADD COLUMN IF NOT EXISTS \`ether_type\` UInt16 ` +
          "COMMENT 'EtherType of a flow that is not IP (ARP, LLDP…; 0 for IPv4 and IPv6)' AFTER `proto`",
      );
    expect(() => addColumnDdl(flows, 'no_such', 'flows', cluster)).toThrow(/flows has no column no_such/);
    expect(createDatabaseDdl(cluster)).toBe('CREATE DATABASE IF NOT EXISTS `nicscope` ON CLUSTER `c1`');
    expect(schemaMigrationsDdl(cluster)).toContain('ON CLUSTER `c1`\n(`version` UInt32');
  });

  describe('parsed by the ClickHouse engine', () => {
    let dir: string;
    let ch: ClickHouse;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'nicscope-ddl-'));
      ch = ClickHouse.open({ url: '', user: '', password: '', requestTimeoutMs: 30_000, dataDir: dir });
    });
    afterAll(async () => {
      await ch.close();
      rmSync(dir, { recursive: true, force: true });
    });
    it('rejects broken DDL (so the check below can fail)', async () => {
      await expect(
        ch.command('EXPLAIN AST CREATE TABLE x ON CLUSTER (a UInt8) ENGINE = MergeTree ORDER BY'),
      ).rejects.toThrow(/Syntax error/);
    });
    it('every cluster statement is valid ClickHouse SQL (EXPLAIN AST)', async () => {
      const stmts = [
        createDatabaseDdl(cluster),
        schemaMigrationsDdl(cluster),
        mergeSelectorDdl('flows_local', cluster),
        widePartsDdl('flows_local', cluster),
        compactRollupPartsDdl('flows_1m_local', cluster),
        addColumnDdl(flows, 'ether_type', 'flows_local', cluster),
        addColumnDdl(flows, 'ether_type', 'flows', cluster),
        modifySettingDdl('flows_1h_local', cluster, 'merge_selector_base', FLOW_MERGE_SELECTOR_BASE),
      ];
      for (const t of ALL_TABLES) stmts.push(...tableStatements(t, cluster));
      for (const s of stmts) {
        await expect(ch.command(`EXPLAIN AST ${s}`), s).resolves.toBeUndefined();
      }
    });
  });
});
