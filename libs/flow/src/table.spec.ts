import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameParser } from '@nicscope/packet';
import * as B from '../../packet/test/build.js';
import { FlowTable, type FlowTableOptions } from './table.js';
import { type FlowRecord } from './record.js';
import { flowToJson } from './ndjson.js';

const C = '02:00:00:00:00:01';
const S = '02:00:00:00:00:02';
const CIP = '10.200.0.1';
const SIP = '10.200.0.2';

function tcpFrame(
  fromClient: boolean,
  o: Omit<B.TcpOpts, 'sport' | 'dport'>,
  payload = 0,
  ports: [number, number] = [40000, 80],
): Uint8Array {
  const [sm, dm, si, di] = fromClient ? [C, S, CIP, SIP] : [S, C, SIP, CIP];
  const [sp, dp] = fromClient ? ports : [ports[1], ports[0]];
  return B.eth(
    dm,
    sm,
    0x0800,
    B.ipv4({ src: si, dst: di, proto: 6 }, B.tcp({ sport: sp, dport: dp, ...o }, new Uint8Array(payload))),
  );
}

class Harness {
  readonly parser = new FrameParser();
  readonly records: Array<FlowRecord & { src: Uint32Array; dst: Uint32Array }> = [];
  readonly table: FlowTable;
  constructor(opts: Partial<FlowTableOptions> = {}) {
    this.table = new FlowTable({ maxFlows: 1024, idleTimeoutS: 30, activeTimeoutS: 300, interimS: 0, ...opts }, (r) =>
      this.records.push({ ...r, src: r.src.slice(), dst: r.dst.slice(), dirTimes: r.dirTimes.slice() }),
    );
  }
  feed(f: Uint8Array, tsMs: number, iface = 0, lt = 1): number {
    this.parser.decode(lt, f, B.viewOf(f), 0, f.length, f.length);
    return this.table.add(this.parser, iface, 1_700_000_000 + Math.floor(tsMs / 1000), (tsMs % 1000) * 1e6);
  }
  json(): ReturnType<typeof flowToJson>[] {
    return this.records.map((r) => flowToJson(r, ['veth0', 'veth1']));
  }
}

describe(FlowTable.name, () => {
  it('accounts a TCP connection in both directions with handshake RTT, flags and a FIN end', () => {
    const h = new Harness();
    const frames = [
      tcpFrame(true, { flags: 0x02, seq: 100 }),
      tcpFrame(false, { flags: 0x12, seq: 500, ack: 101 }),
      tcpFrame(true, { flags: 0x10, seq: 101, ack: 501 }),
      tcpFrame(true, { flags: 0x18, seq: 101, ack: 501 }, 100),
      tcpFrame(false, { flags: 0x10, seq: 501, ack: 201 }),
      tcpFrame(true, { flags: 0x11, seq: 201, ack: 501 }),
      tcpFrame(false, { flags: 0x11, seq: 501, ack: 202 }),
      tcpFrame(true, { flags: 0x10, seq: 202, ack: 502 }),
    ];
    const ts = [0, 2, 5, 6, 7, 8, 9, 10];
    frames.forEach((f, i) => h.feed(f, ts[i]!));
    expect(h.table.active).toBe(1);
    h.feed(B.eth(S, C, 0x0806, B.arp(1, C, CIP, S, SIP)), 5000); // after the linger: the closed flow ends
    const [r] = h.json();
    const fwdBytes = frames.filter((_, i) => [0, 2, 3, 5, 7].includes(i)).reduce((a, f) => a + f.length, 0);
    const revBytes = frames.filter((_, i) => [1, 4, 6].includes(i)).reduce((a, f) => a + f.length, 0);
    expect(r).toMatchObject({
      iface: 'veth0',
      proto: 6,
      src_ip: CIP,
      src_port: 40000,
      dst_ip: SIP,
      dst_port: 80,
      src_mac: C,
      dst_mac: S,
      packets_fwd: 5,
      bytes_fwd: fwdBytes,
      packets_rev: 3,
      bytes_rev: revBytes,
      first_ts: '1700000000.000000000',
      last_ts: '1700000000.010000000',
      first_ts_fwd: '1700000000.000000000',
      last_ts_fwd: '1700000000.010000000',
      first_ts_rev: '1700000000.002000000',
      last_ts_rev: '1700000000.009000000',
      tcp_flags_fwd: 0x1b,
      tcp_flags_rev: 0x13,
      rtt_us: 5000,
      retransmits: 0,
      end_reason: 'fin',
      vlan: 0,
      tunnel_type: '',
      tunnel_id: 0,
    });
    const rec = h.records[0]!;
    expect([rec.firstSec, rec.firstNsec, rec.lastSec, rec.lastNsec]).toEqual([
      1_700_000_000, 0, 1_700_000_000, 10_000_000,
    ]);
  });

  it('makes the SYN sender the initiator even when the SYN-ACK is seen first', () => {
    const h = new Harness();
    h.feed(tcpFrame(false, { flags: 0x12, seq: 500, ack: 101 }), 0);
    h.feed(tcpFrame(true, { flags: 0x10, seq: 101, ack: 501 }), 1);
    h.table.flush();
    expect(h.json()[0]).toMatchObject({
      src_ip: CIP,
      src_port: 40000,
      packets_fwd: 1,
      packets_rev: 1,
      src_mac: C,
      end_reason: 'capture_end',
    });
  });

  it('counts retransmissions, out-of-order segments, zero windows and resets', () => {
    const h = new Harness();
    h.feed(tcpFrame(true, { flags: 0x02, seq: 0 }), 0);
    h.feed(tcpFrame(true, { flags: 0x18, seq: 1 }, 100), 1);
    h.feed(tcpFrame(true, { flags: 0x18, seq: 1 }, 100), 2); // retransmission
    h.feed(tcpFrame(true, { flags: 0x18, seq: 201 }, 100), 3); // gap (101..200 missing)
    h.feed(tcpFrame(true, { flags: 0x18, seq: 101 }, 100), 4); // fills it: out of order
    h.feed(tcpFrame(false, { flags: 0x10, seq: 9, ack: 301, win: 0 }), 5); // zero window
    h.feed(tcpFrame(false, { flags: 0x04, seq: 9 }), 6);
    h.table.flush();
    expect(h.json()[0]).toMatchObject({
      retransmits: 1,
      out_of_order: 1,
      zero_windows: 1,
      resets: 1,
      end_reason: 'rst',
      rtt_us: null,
    });
  });

  it('ends a closed flow when a new SYN reuses its 5-tuple', () => {
    const h = new Harness();
    h.feed(tcpFrame(true, { flags: 0x02, seq: 0 }), 0);
    h.feed(tcpFrame(false, { flags: 0x04 | 0x10, seq: 0, ack: 1 }), 1);
    h.feed(tcpFrame(true, { flags: 0x02, seq: 1000 }), 100);
    expect(h.json().map((r) => r.end_reason)).toEqual(['rst']);
    expect(h.table.active).toBe(1);
  });

  it('ends idle flows, restarts at the active timeout and sends interim deltas that sum to the totals', () => {
    const h = new Harness({ idleTimeoutS: 10, activeTimeoutS: 60, interimS: 5 });
    const u = (dport: number): Uint8Array =>
      B.eth(S, C, 0x0800, B.ipv4({ src: CIP, dst: SIP, proto: 17 }, B.udp(1000, dport, new Uint8Array(10))));
    for (let s = 0; s <= 70; s++) h.feed(u(53), s * 1000); // one packet a second for 71 s
    h.feed(u(54), 0 + 71_000);
    h.feed(u(54), 90_000); // idle > 10 s for port 53 flow and for port 54 flow
    h.table.flush();
    const r53 = h.json().filter((r) => r.dst_port === 53);
    expect(r53.map((r) => r.end_reason)).toContain('active');
    expect(r53.map((r) => r.end_reason)).toContain('interim');
    expect(r53.at(-1)!.end_reason).toBe('idle');
    expect(r53.reduce((a, r) => a + r.packets_fwd, 0)).toBe(71);
    // Per-direction times start again after the active-timeout restart; a one-way flow has no reverse times.
    const afterActive = r53[r53.findIndex((r) => r.end_reason === 'active') + 1]!;
    expect(afterActive.first_ts_fwd).toBe(afterActive.first_ts);
    expect(Number(afterActive.first_ts_fwd) - 1_700_000_000).toBeGreaterThanOrEqual(60);
    expect(r53.at(-1)).toMatchObject({ last_ts_fwd: '1700000070.000000000', first_ts_rev: null, last_ts_rev: null });
    const r54 = h
      .json()
      .filter((r) => r.dst_port === 54)
      .map((r) => [r.end_reason, r.packets_fwd]);
    expect(r54).toEqual([
      ['idle', 1],
      ['capture_end', 1],
    ]);
  });

  it('evicts the least recently seen flow when full and counts it', () => {
    const h = new Harness({ maxFlows: 4 });
    const u = (sport: number): Uint8Array =>
      B.eth(S, C, 0x0800, B.ipv4({ src: CIP, dst: SIP, proto: 17 }, B.udp(sport, 53, new Uint8Array(4))));
    for (let i = 0; i < 4; i++) h.feed(u(1000 + i), i * 1000);
    h.feed(u(1000), 10_000); // refresh the first (LRU order has a one-second granularity)
    h.feed(u(2000), 11_000); // evicts 1001
    expect(h.table.evictions).toBe(1);
    expect(h.json().map((r) => [r.src_port, r.end_reason])).toEqual([[1001, 'evicted']]);
    expect(h.table.active).toBe(4);
  });

  it('attributes later IPv4 fragments to the flow of the first fragment', () => {
    const h = new Harness();
    const first = B.eth(
      S,
      C,
      0x0800,
      B.ipv4({ src: CIP, dst: SIP, proto: 17, id: 77, mf: true }, B.udp(5000, 5001, new Uint8Array(1472), 3008)),
    );
    const later = B.eth(
      S,
      C,
      0x0800,
      B.ipv4({ src: CIP, dst: SIP, proto: 17, id: 77, fragOff: 1480 }, new Uint8Array(1528)),
    );
    const stray = B.eth(
      S,
      C,
      0x0800,
      B.ipv4({ src: CIP, dst: SIP, proto: 17, id: 78, fragOff: 1480 }, new Uint8Array(100)),
    );
    h.feed(first, 0);
    h.feed(later, 1);
    h.feed(stray, 2);
    h.table.flush();
    const j = h.json();
    expect(j.map((r) => [r.src_port, r.dst_port, r.packets_fwd])).toEqual([
      [5000, 5001, 2],
      [0, 0, 1],
    ]);
    expect(h.table.fragmentsAttributed).toBe(1);
    expect(h.table.fragmentsUnmatched).toBe(1);
  });

  it('keys by interface, VLAN and tunnel VNI, and non-IP frames by MAC pair and EtherType', () => {
    const h = new Harness();
    const ip = B.ipv4({ src: CIP, dst: SIP, proto: 1 }, B.icmpEcho(8, 1, 1));
    const inner = B.eth(S, C, 0x0800, ip);
    const vx = (vni: number): Uint8Array =>
      B.eth(
        '02:00:00:00:00:0b',
        '02:00:00:00:00:0a',
        0x0800,
        B.ipv4({ src: '10.200.1.1', dst: '10.200.1.2', proto: 17 }, B.udp(40000 + vni, 4789, B.vxlan(vni, inner))),
      );
    h.feed(vx(10), 0);
    h.feed(vx(10), 1); // other source port, same VNI: same inner flow
    h.feed(vx(20), 2);
    h.feed(B.eth(S, C, 0x8100, B.vlanTag(7, 0x0800, ip)), 3);
    h.feed(inner, 4, 0);
    h.feed(inner, 5, 1);
    h.feed(B.eth('ff:ff:ff:ff:ff:ff', C, 0x0806, B.arp(1, C, CIP, '00:00:00:00:00:00', SIP)), 6);
    h.feed(B.eth(C, S, 0x0806, B.arp(2, S, SIP, C, CIP)), 7);
    h.table.flush();
    const j = h
      .json()
      .map((r) => [
        r.iface,
        r.vlan,
        r.tunnel_type,
        r.tunnel_id,
        r.proto,
        r.src_ip,
        r.ethertype,
        r.src_mac,
        r.dst_mac,
        r.packets_fwd,
        r.packets_rev,
      ]);
    expect(j).toEqual(
      expect.arrayContaining([
        ['veth0', 0, 'vxlan', 10, 1, CIP, 0, C, S, 2, 0],
        ['veth0', 0, 'vxlan', 20, 1, CIP, 0, C, S, 1, 0],
        ['veth0', 7, '', 0, 1, CIP, 0, C, S, 1, 0],
        ['veth0', 0, '', 0, 1, CIP, 0, C, S, 1, 0],
        ['veth1', 0, '', 0, 1, CIP, 0, C, S, 1, 0],
        ['veth0', 0, '', 0, 0, null, 0x0806, C, 'ff:ff:ff:ff:ff:ff', 1, 0],
        ['veth0', 0, '', 0, 0, null, 0x0806, S, C, 1, 0],
      ]),
    );
    expect(j).toHaveLength(7);
  });

  it('writes every NDJSON field the storage schema maps', () => {
    const h = new Harness();
    h.feed(tcpFrame(true, { flags: 2 }), 0);
    h.table.flush();
    expect(Object.keys(h.json()[0]!)).toEqual(
      expect.arrayContaining([
        'iface',
        'vlan',
        'tunnel_type',
        'tunnel_id',
        'proto',
        'src_ip',
        'src_port',
        'dst_ip',
        'dst_port',
        'src_mac',
        'dst_mac',
        'packets_fwd',
        'bytes_fwd',
        'packets_rev',
        'bytes_rev',
        'first_ts',
        'last_ts',
        'tcp_flags_fwd',
        'tcp_flags_rev',
        'rtt_us',
        'retransmits',
        'end_reason',
      ]),
    );
  });

  it('keeps the index consistent through random inserts and removals (same answers as a Map)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean()), { minLength: 50, maxLength: 600 }),
        (ops) => {
          const h = new Harness({ maxFlows: 64, idleTimeoutS: 1000, initialFlows: 4 }); // grows 4 → 64, then evicts
          const model = new Map<number, number>();
          let t = 0;
          for (const [port, rst] of ops) {
            t += 1;
            const f = tcpFrame(true, { flags: rst ? 0x04 : 0x10, seq: 1 }, 0, [port, 80]);
            h.feed(f, t);
            model.set(port, (model.get(port) ?? 0) + 1);
          }
          h.table.flush();
          const counted = new Map<number, number>();
          for (const r of h.records) counted.set(r.srcPort, (counted.get(r.srcPort) ?? 0) + r.packetsFwd);
          expect(counted).toEqual(model);
          expect(h.table.active).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
