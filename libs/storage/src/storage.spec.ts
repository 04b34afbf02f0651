import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowRollups } from './rows/flow-rollups.js';
import { flows, frames, interfaceCounters } from './schema/index.js';
import { Storage, type StorageConfig } from './storage.js';
import { BatchWriter, type WriterCore, type WriterOptions } from './writer/batch-writer.js';

function config(dataDir: string, over: Partial<StorageConfig['storage']> = {}): StorageConfig {
  return {
    dataDir,
    clickhouse: { url: '', user: 'default', password: '', database: 'st', cluster: '', requestTimeoutMs: 30_000 },
    storage: { flushRows: 1000, flushIntervalMs: 100, spoolMaxMb: 16, ttlRawDays: 7, ttlRollupDays: 90, ...over },
  };
}

// Recent (TTL drops old parts at once): the start of the current hour, in ns.
const T0_MS = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const T0 = BigInt(T0_MS) * 1_000_000n;
const T0_TEXT = new Date(T0_MS).toISOString().replace('T', ' ').slice(0, 19);

describe(Storage.name, () => {
  let dir: string;
  let storage: Storage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-storage-'));
    storage = await Storage.open(config(dir), { collector: 'spec' });
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes flow rows through the builder and reads back every value as set', async () => {
    const w = storage.writer(flows);
    const r = w.row;
    r.setTs(T0 + 123n);
    r.setCollector('spec');
    r.setRecordType('final');
    r.setFlowId(2 ** 40 + 5);
    r.setIface('veth-a');
    r.setVlan(100);
    r.setTunnelType('vxlan');
    r.setTunnelId(4242);
    r.setProto(6);
    r.setSrcIp('10.200.0.1');
    r.setSrcPort(40000);
    r.setDstIp('fd00:200::2');
    r.setDstPort(443);
    r.setSrcMac(0x020000000001);
    r.setPacketsFwd(10);
    r.setBytesFwd(2 ** 33 + 1);
    r.setPacketsDeltaFwd(10);
    r.setBytesDeltaFwd(1500);
    r.setFirstTs(T0);
    r.setLastTs(T0 + 999_999_999n);
    r.setTcpFlagsFwd(0x12);
    r.setRttUs(250);
    r.setEndReason('fin');
    expect(w.finalize()).toBe(true);
    await w.flushNow();
    const rows = await storage.ch.query<Record<string, unknown>>(
      "SELECT toString(ts) AS ts, record_type, flow_id, iface, vlan, tunnel_type, tunnel_id, proto, toString(src_ip) AS src_ip, src_port, toString(dst_ip) AS dst_ip, dst_port, MACNumToString(src_mac) AS src_mac, bytes_fwd, toString(last_ts) AS last_ts, tcp_flags_fwd, rtt_us, end_reason FROM st.flows WHERE collector = 'spec'",
    );
    expect(rows).toEqual([
      {
        ts: `${T0_TEXT}.000000123`,
        record_type: 'final',
        flow_id: String(2 ** 40 + 5),
        iface: 'veth-a',
        vlan: 100,
        tunnel_type: 'vxlan',
        tunnel_id: 4242,
        proto: 6,
        src_ip: '::ffff:10.200.0.1',
        src_port: 40000,
        dst_ip: 'fd00:200::2',
        dst_port: 443,
        src_mac: '02:00:00:00:00:01',
        bytes_fwd: String(2 ** 33 + 1),
        last_ts: `${T0_TEXT}.999999999`,
        tcp_flags_fwd: 0x12,
        rtt_us: 250,
        end_reason: 'fin',
      },
    ]);
  });

  it('fills the 1-minute and 1-hour rollups with exactly the GROUP BY of the raw rows, over several batches', async () => {
    const w = storage.writer(flows);
    const N = 2500; // 3 batches of up to 1000 rows, 2 s apart: 84 minutes over two hours
    for (let i = 0; i < N; i++) {
      const more = w.append({
        ts: T0 + BigInt(i) * 2_000_000_000n + BigInt(i % 1000),
        collector: i % 11 ? 'rollup' : 'rollup-b',
        record_type: i % 3 === 0 ? 'final' : 'interim',
        iface: i % 2 ? 'eth0' : 'vethé1',
        vlan: i % 4 === 0 ? 100 : 0,
        proto: i % 5 ? 6 : 17,
        src_ip: i % 6 === 0 ? `fd00:200::${i % 9}` : `10.200.1.${i % 7}`,
        dst_ip: i % 6 === 0 ? 'fd00:200::ff' : '10.200.2.1',
        packets_delta_fwd: i,
        packets_delta_rev: 1,
        bytes_delta_fwd: i * 100,
        bytes_delta_rev: 60,
      });
      if (!more) await w.drain();
    }
    await w.flushNow();
    expect(await storage.drainSpool(10_000)).toBe(true);
    const keys = 'iface, proto, src_ip, dst_ip, vlan, collector';
    const who = "collector IN ('rollup', 'rollup-b')";
    for (const [t, bucket] of [
      ['flows_1m', 'toStartOfMinute'],
      ['flows_1h', 'toStartOfHour'],
    ] as const) {
      const raw = await storage.ch.query<Record<string, string>>(
        `SELECT ${bucket}(toDateTime(ts)) AS t, ${keys}, sum(packets_delta_fwd + packets_delta_rev) AS p, sum(bytes_delta_fwd + bytes_delta_rev) AS b, countIf(record_type = 'final') AS f FROM st.flows WHERE ${who} GROUP BY t, ${keys} ORDER BY t, ${keys}`,
      );
      const roll = await storage.ch.query<Record<string, string>>(
        `SELECT ts AS t, ${keys}, sum(packets) AS p, sum(bytes) AS b, sum(flows) AS f FROM st.${t} WHERE ${who} GROUP BY t, ${keys} ORDER BY t, ${keys}`,
      );
      expect(raw.length).toBeGreaterThan(t === 'flows_1m' ? 400 : 100);
      expect(roll).toEqual(raw);
    }
    const ended = await storage.ch.query<{ n: string }>(`SELECT sum(flows) AS n FROM st.flows_1h WHERE ${who}`);
    expect(Number(ended[0]!.n)).toBe(Math.ceil(N / 3));
  });

  it('gathers the rollups of several flows batches into one insert a table: sent when due, at a close, or before they would overflow', async () => {
    const ddl = { database: 'st', cluster: '', ttlRawDays: 7, ttlRollupDays: 90 };
    /**
     * A flows writer over this storage whose rollups gather for `ageMs`, 2000 minute groups at most;
     * an instance id of its own (batch tokens are instance + table + sequence: this storage's own
     * flows writer has sent batches of the same sequence numbers, which deduplication would drop).
     */
    let writers = 0;
    const writer = (ageMs: number): { w: BatchWriter<typeof flows>; minute: FlowRollups['counters'] } => {
      const rollups = new FlowRollups(2000, ddl, ageMs);
      const core: WriterCore = {
        instanceId: `${storage.instanceId}-gather${++writers}`,
        deliver: (b, c) => storage.deliver(b, c),
        spoolNow: (b, c) => storage.spoolNow(b, c),
      };
      const w = new BatchWriter(flows, 'st.flows', core, {
        flushRows: 1000,
        maxRows: 2000,
        flushIntervalMs: 60_000,
        derive: rollups as unknown as WriterOptions['derive'],
      });
      return { w, minute: rollups.counters };
    };
    /** A batch of 1000 rows (flushed by rows and inserted before this returns); `keys` distinct talker pairs. */
    const batch = async (w: BatchWriter<typeof flows>, who: string, keys: number, from: number): Promise<void> => {
      for (let i = 0; i < 1000; i++)
        w.append({
          ts: T0 + BigInt(i),
          collector: who,
          iface: 'eth0',
          proto: 6,
          src_ip: `10.200.${3 + (((from + i) % keys) >> 8)}.${((from + i) % keys) & 255}`,
          dst_ip: '10.200.9.1',
          packets_delta_fwd: 2,
          bytes_delta_fwd: 100,
        });
      await w.drain();
    };
    const count = async (t: string, who: string): Promise<{ n: number; p: number }> => {
      const col = t === 'flows' ? 'packets_delta_fwd' : 'packets';
      const r = await storage.ch.query<{ n: string; p: string }>(
        `SELECT count() AS n, sum(${col}) AS p FROM st.${t} WHERE collector = '${who}'`,
      );
      return { n: Number(r[0]!.n), p: Number(r[0]!.p) };
    };

    // Three batches of the same 300 pairs: rollups held until the close, then one insert a table.
    const a = writer(60_000);
    for (let b = 0; b < 3; b++) await batch(a.w, 'gather', 300, 0);
    expect(await count('flows', 'gather')).toEqual({ n: 3000, p: 6000 });
    expect(await count('flows_1m', 'gather')).toEqual({ n: 0, p: 0 });
    await a.w.close();
    expect(await count('flows_1m', 'gather')).toEqual({ n: 300, p: 6000 });
    expect(await count('flows_1h', 'gather')).toEqual({ n: 300, p: 6000 });
    expect(a.minute.get('flows_1m')!.batchesWritten).toBe(1);

    // 1000 new pairs a batch: the third batch would overflow the 2000 groups, the first two go before it.
    const b = writer(60_000);
    for (let k = 0; k < 3; k++) await batch(b.w, 'gather-wide', 3000, k * 1000);
    expect(b.minute.get('flows_1m')!.batchesWritten).toBe(1);
    await b.w.close();
    expect(b.minute.get('flows_1m')!.batchesWritten).toBe(2);
    expect(await count('flows_1m', 'gather-wide')).toEqual({ n: 3000, p: 6000 });

    // No batch comes after the rollups are due: the writer's timer sends them.
    const c = writer(200);
    await batch(c.w, 'gather-idle', 50, 0);
    const t0 = Date.now();
    while ((await count('flows_1m', 'gather-idle')).n === 0) {
      expect(Date.now() - t0).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await count('flows_1m', 'gather-idle')).toEqual({ n: 50, p: 2000 });
    await c.w.close();
  });

  it("encodes flow rows in the table's sort-key order, as ClickHouse orders them, ties and all", async () => {
    const { createRowBuilder } = await import('./rows/builder.js');
    const { insertColumns } = await import('./schema/table.js');
    const N = 5000;
    const b = createRowBuilder(flows, N);
    // Rows out of order: three interfaces, times shuffled and spread over hours (both 32-bit
    // words of the timestamp vary), and groups of rows with the same interface and time that
    // differ only in proto, addresses (v4 and v6, bytes that differ in sign as int8) or ports.
    let seed = 7;
    const rnd = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % k;
    };
    for (let i = 0; i < N; i++) {
      b.setTs(T0 - BigInt(rnd(400)) * 30_000_000_000n - BigInt(rnd(3)));
      b.setCollector('order');
      b.setIface(['eth1', 'br-ex', 'tap0'][rnd(3)]!);
      b.setFlowId(i);
      b.setProto([6, 17][rnd(2)]!);
      b.setSrcIp(rnd(2) ? `10.200.${rnd(3)}.${rnd(250)}` : `fd00:200::${(0x80 + rnd(3)).toString(16)}:${rnd(9)}`);
      b.setDstIp(`10.200.255.${rnd(2) * 200 + rnd(3)}`);
      b.setSrcPort(rnd(3));
      b.finalize();
    }
    const bytes = b.encode();
    await storage.ch.command('CREATE TABLE st.flows_order AS st.flows ENGINE = MergeTree ORDER BY tuple()');
    try {
      await storage.ch.insert('st.flows_order', insertColumns(flows), 'Native', bytes, 'order-1');
      const ids = async (order: string): Promise<string[]> =>
        (
          await storage.ch.query<{ id: string }>(
            `SELECT toString(flow_id) AS id FROM st.flows_order ${order} SETTINGS max_threads = 1`,
          )
        ).map((r) => r.id);
      const stored = await ids('');
      expect(stored).toHaveLength(N);
      // The encoded order is the key order: ClickHouse sorting the rows changes nothing, apart
      // from rows whose whole key is equal (their order is free).
      const keyed = await storage.ch.query<{ k: string }>(
        'SELECT concat(iface, toString(ts), toString(proto), toString(src_ip), toString(dst_ip)) AS k FROM st.flows_order SETTINGS max_threads = 1',
      );
      const sorted = await storage.ch.query<{ k: string }>(
        'SELECT concat(iface, toString(ts), toString(proto), toString(src_ip), toString(dst_ip)) AS k FROM st.flows_order ORDER BY iface, ts, proto, src_ip, dst_ip SETTINGS max_threads = 1',
      );
      expect(keyed.map((r) => r.k)).toEqual(sorted.map((r) => r.k));
      expect(new Set(stored).size).toBe(N);
      // The builder's own rows stay as they came (the rollups read them).
      expect(b.column('flow_id')[0]).toBe(0);
    } finally {
      await storage.ch.command('DROP TABLE st.flows_order SYNC');
    }
  });

  it('writes a batch sent twice with the same deduplication token once', async () => {
    const { createRowBuilder } = await import('./rows/builder.js');
    const b = createRowBuilder(interfaceCounters, 10);
    b.append({ ts: T0, collector: 'dedup', iface: 'eth9', rx_packets: 1 });
    b.append({ ts: T0 + 1n, collector: 'dedup', iface: 'eth9', rx_packets: 2 });
    const bytes = b.encode();
    const cols = interfaceCounters.columns.map((c) => c.name);
    await storage.ch.insert('st.interface_counters', cols, 'Native', bytes, 'tok-a');
    await storage.ch.insert('st.interface_counters', cols, 'Native', bytes, 'tok-a');
    const n = await storage.ch.query<{ n: string }>(
      "SELECT count() AS n FROM st.interface_counters WHERE collector = 'dedup'",
    );
    expect(Number(n[0]!.n)).toBe(2);
    // Same rows under a new token are a new batch.
    await storage.ch.insert('st.interface_counters', cols, 'Native', bytes, 'tok-b');
    const m = await storage.ch.query<{ n: string }>(
      "SELECT count() AS n FROM st.interface_counters WHERE collector = 'dedup'",
    );
    expect(Number(m[0]!.n)).toBe(4);
  });

  it('flushes a batch by age when it never fills up', async () => {
    const w = storage.writer(interfaceCounters);
    w.append({ ts: T0, collector: 'age', iface: 'eth0' });
    const t0 = Date.now();
    for (;;) {
      const n = await storage.ch.query<{ n: string }>(
        "SELECT count() AS n FROM st.interface_counters WHERE collector = 'age'",
      );
      if (Number(n[0]!.n) === 1) break;
      expect(Date.now() - t0).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(w.counters.batchesWritten).toBeGreaterThanOrEqual(1);
    expect(storage.health().rows_written).toBeGreaterThan(0);
  });

  it('tells a fast producer to wait, spools what it overruns instead of growing memory, and loses nothing', async () => {
    const w = storage.writer(frames);
    let told = 0;
    // A synchronous producer: never yields, so the first insert is still in flight while it writes.
    for (let i = 0; i < 5000; i++) {
      w.row.setTs(T0 + BigInt(i));
      w.row.setCollector('overrun');
      w.row.setIface('eth0');
      w.row.setWireLen(i);
      if (!w.finalize()) told++;
    }
    expect(told).toBeGreaterThan(0);
    expect(w.counters.overflowSpooled).toBeGreaterThan(0);
    expect(w.row.count).toBeLessThanOrEqual(1000);
    await w.flushNow();
    expect(await storage.drainSpool(30_000)).toBe(true);
    const r = await storage.ch.query<{ n: string; u: string }>(
      "SELECT count() AS n, uniqExact(wire_len) AS u FROM st.frames WHERE collector = 'overrun'",
    );
    expect(r).toEqual([{ n: '5000', u: '5000' }]);
    // A producer that waits when told is never overrun.
    const before = w.counters.overflowSpooled;
    for (let i = 0; i < 5000; i++) {
      w.row.setTs(T0 + BigInt(i));
      w.row.setCollector('polite');
      if (!w.finalize()) await w.drain();
    }
    await w.flushNow();
    expect(w.counters.overflowSpooled).toBe(before);
    expect(w.counters.backpressureWaits).toBeGreaterThan(0);
  });

  it('groups the flow rows that come in during an insert into one larger batch, sent as the insert ends', async () => {
    const w = storage.writer(flows);
    await w.flushNow();
    const batches0 = w.counters.batchesWritten;
    // A synchronous producer: the first batch (flushRows = 1000) goes at row 1000; the next 2500
    // rows arrive while it is in flight and form one batch (flows may grow to FLOWS_GROUP × 1000).
    let told = 0;
    for (let i = 0; i < 3500; i++) {
      w.row.setTs(T0 + BigInt(i));
      w.row.setCollector('group');
      w.row.setFlowId(i);
      w.row.setIface('eth0');
      if (!w.finalize()) told++;
    }
    // Told to wait once the grouped batch reaches maxRows / 2 = 2000 rows (rows 2000-2500 of it);
    // this producer ignores it, and nothing is spooled before maxRows.
    expect(told).toBe(501);
    expect(w.counters.overflowSpooled).toBe(0);
    expect(w.row.count).toBe(2500);
    await w.drain(); // the first insert ends: the grouped 2500 rows start at once
    expect(w.row.count).toBe(0);
    await w.flushNow();
    expect(w.counters.batchesWritten - batches0).toBe(2);
    const r = await storage.ch.query<{ n: string; u: string }>(
      "SELECT count() AS n, uniqExact(flow_id) AS u FROM st.flows WHERE collector = 'group'",
    );
    expect(r).toEqual([{ n: '3500', u: '3500' }]);
  });

  it('refuses a second chDB data directory in the same process with a clear error', async () => {
    await expect(Storage.open(config(join(dir, 'other')))).rejects.toThrow(/one data directory per process/);
  });
});
