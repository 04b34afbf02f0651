/**
 * Flow records → worker slots → `flows` rows, into real embedded chDB (no root): every column as
 * the record gave it, IPv4 (v4-mapped) and IPv6 addresses in the same batch and in the row an
 * address of the other version held in the batch before; a flow that is not IP (ARP) with no
 * address, its EtherType and its MACs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndReason, newFlowRecord, type FlowRecord } from '@nicscope/flow';
import { flows, Storage } from '@nicscope/storage';
import { writeFlowRows } from './flow-rows.js';
import { FlowWireWriter } from './flow-wire.js';
import { arpRecord } from './test/records.js';

// Recent (the raw TTL drops old parts at once): the start of the current hour.
const SEC = Math.floor(Date.now() / 3_600_000) * 3600;

function record(v6: boolean, n: number, end: number): FlowRecord {
  const r = newFlowRecord();
  r.ipVersion = v6 ? 6 : 4;
  r.proto = 6;
  if (v6) {
    // fd00:200::<n> → fd00:200::<n + 1>
    r.src.set([0xfd000200, 0, 0, n]);
    r.dst.set([0xfd000200, 0, 0, n + 1]);
  } else {
    r.src[0] = ((10 << 24) | (200 << 16) | n) >>> 0;
    r.dst[0] = ((10 << 24) | (200 << 16) | 250) >>> 0;
  }
  r.srcPort = 40_000 + n;
  r.dstPort = 443;
  r.srcMacHi = 0x0200;
  r.srcMacLo = n;
  r.hasMac = 1;
  r.packetsFwd = n;
  r.bytesFwd = 2 ** 33 + n;
  r.packetsRev = 2;
  r.bytesRev = 120;
  r.firstSec = SEC;
  r.firstNsec = 999_999_999;
  r.lastSec = SEC + 4_000 + n;
  r.lastNsec = n;
  r.tcpFlagsFwd = 0x1b;
  r.rttUs = n % 2 ? 250 : -1;
  r.endReason = end;
  return r;
}

describe(writeFlowRows.name, () => {
  let dir: string;
  let storage: Storage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-flow-rows-'));
    storage = await Storage.open(
      {
        dataDir: dir,
        clickhouse: { url: '', user: 'default', password: '', database: 'fr', cluster: '', requestTimeoutMs: 30_000 },
        storage: { flushRows: 1000, flushIntervalMs: 60_000, spoolMaxMb: 16, ttlRawDays: 7, ttlRollupDays: 90 },
      },
      { collector: 'spec' },
    );
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each call: the records through a worker's flow wire into the writer's rows of `iface`, stored. */
  const batchInto = (iface: string) => {
    const w = storage.writer(flows);
    const wire = new FlowWireWriter();
    return async (...records: FlowRecord[]): Promise<void> => {
      for (const r of records) wire.push(r);
      const t = wire.take()!;
      expect(writeFlowRows(t.slots, t.count, iface, 'spec', w)).toBe(true);
      await w.flushNow();
    };
  };

  it('stores every field of the records, IPv4 v4-mapped and IPv6, whatever the row held before', async () => {
    const batch = batchInto('veth-fr');
    // Batch 1: IPv6 in rows 0 and 2; batch 2: IPv4 in those rows (and the other way round).
    await batch(record(true, 1, EndReason.FIN), record(false, 2, EndReason.INTERIM), record(true, 3, EndReason.RST));
    await batch(record(false, 4, EndReason.IDLE), record(true, 5, EndReason.INTERIM), record(false, 6, EndReason.FIN));
    const rows = await storage.ch.query<Record<string, string | number>>(
      `SELECT toString(src_ip) AS src, toString(dst_ip) AS dst, src_port, packets_fwd, bytes_fwd, src_mac,
              record_type, end_reason, rtt_us, tcp_flags_fwd,
              toString(ts) AS ts, toString(first_ts) AS first, toString(last_ts) AS last
       FROM fr.flows WHERE iface = 'veth-fr' ORDER BY src_port`,
    );
    const at = (sec: number, nsec: number) =>
      `${new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19)}.${String(nsec).padStart(9, '0')}`;
    expect(rows).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => {
        const v6 = n === 1 || n === 3 || n === 5;
        const end = ['fin', '', 'rst', 'idle', '', 'fin'][n - 1]!;
        return {
          src: v6 ? `fd00:200::${n}` : `::ffff:10.200.0.${n}`,
          dst: v6 ? `fd00:200::${n + 1}` : '::ffff:10.200.0.250',
          src_port: 40_000 + n,
          packets_fwd: String(n),
          bytes_fwd: String(2 ** 33 + n),
          src_mac: String(0x0200 * 2 ** 32 + n),
          record_type: end === '' ? 'interim' : 'final',
          end_reason: end,
          rtt_us: n % 2 ? 250 : 0,
          tcp_flags_fwd: 0x1b,
          ts: at(SEC + 4_000 + n, n),
          first: at(SEC, 999_999_999),
          last: at(SEC + 4_000 + n, n),
        };
      }),
    );
  });

  it('stores a flow that is not IP (keyed on its MACs) with no address, its EtherType and its MACs', async () => {
    const batch = batchInto('veth-l2');
    // An ARP flow between 02:00:00:00:00:07 and ff:ff:ff:ff:ff:ff, 3 frames of 42 bytes.
    const arp = arpRecord(7, 3);
    arp.bytesFwd = 126;
    arp.firstSec = SEC;
    arp.lastSec = SEC + 2;
    // Row 0 held an IPv6 address and row 1 an IPv4 one in the batch before (rows by packets: 3, 11, 12, 13).
    await batch(record(true, 11, EndReason.FIN), record(false, 12, EndReason.FIN));
    await batch(arp, record(false, 13, EndReason.FIN));
    const rows = await storage.ch.query<Record<string, string | number>>(
      `SELECT toString(src_ip) AS src, toString(dst_ip) AS dst, proto, ether_type, src_mac, dst_mac, packets_fwd
       FROM fr.flows WHERE iface = 'veth-l2' ORDER BY packets_fwd`,
    );
    expect(rows).toEqual([
      {
        src: '::',
        dst: '::',
        proto: 0,
        ether_type: 0x0806,
        src_mac: String(0x0200 * 2 ** 32 + 7),
        dst_mac: String(0xffff * 2 ** 32 + 0xffffffff),
        packets_fwd: '3',
      },
      expect.objectContaining({ src: 'fd00:200::b', ether_type: 0, proto: 6 }),
      expect.objectContaining({ src: '::ffff:10.200.0.12', ether_type: 0, proto: 6 }),
      expect.objectContaining({ src: '::ffff:10.200.0.13', ether_type: 0, proto: 6 }),
    ]);
  });
});
