import { describe, expect, it } from 'vitest';
import { FlowUpdateSchema } from '@nicscope/contracts';
import { EndReason, newFlowRecord, type FlowRecord } from '@nicscope/flow';
import { flowUpdates } from './flow-live.js';
import { FlowWireWriter, flowId } from './flow-wire.js';
import { arpRecord } from './test/records.js';

function udp(endReason: number, packets: number): FlowRecord {
  const r = newFlowRecord();
  r.ipVersion = 4;
  r.proto = 17;
  r.src[0] = (10 << 24) | (200 << 16) | 1;
  r.dst[0] = (10 << 24) | (200 << 16) | 2;
  r.srcPort = 4000;
  r.dstPort = 5000;
  r.packetsFwd = packets;
  r.bytesFwd = packets * 100;
  r.firstSec = 1_795_000_000;
  r.firstNsec = 123_456_789;
  r.lastSec = 1_795_000_001;
  r.lastNsec = 0;
  r.endReason = endReason;
  return r;
}

/** The live flow updates of `records` pushed through one writer, in order. */
function updatesOf(w: FlowWireWriter, ...records: FlowRecord[]): ReturnType<typeof flowUpdates> {
  for (const r of records) w.push(r);
  const t = w.take()!;
  return flowUpdates(t.slots, t.count, 'eth0');
}

describe(FlowWireWriter.name, () => {
  it('carries deltas and running totals of one flow under one id, interim then final', () => {
    const w = new FlowWireWriter();
    w.push(udp(EndReason.INTERIM, 3));
    expect(w.trackedTotals).toBe(1);
    w.push(udp(EndReason.IDLE, 2));
    expect(w.trackedTotals).toBe(0); // forgotten when the flow ends
    const t = w.take()!;
    const u = flowUpdates(t.slots, t.count, 'eth0');
    expect(u.map((x) => FlowUpdateSchema.parse(x))).toHaveLength(2);
    expect(u[0]!.flowId).toBe(u[1]!.flowId);
    expect([u[0]!.packetsA, u[1]!.packetsA, u[1]!.bytesA]).toEqual([3, 5, 500]);
    expect(u[1]).toMatchObject({
      srcAddr: '10.200.0.1',
      dstAddr: '10.200.0.2',
      srcPort: 4000,
      dstPort: 5000,
      state: 'idle',
    });
    expect(u[0]!.firstSeenMs).toBe(1_795_000_000_123);
    expect(w.take()).toBeNull();
  });

  it('gives each flow that ends with its first record its own totals (nothing kept between them)', () => {
    const w = new FlowWireWriter();
    const b = udp(EndReason.IDLE, 2);
    b.dstPort = 5001;
    const u = updatesOf(w, udp(EndReason.FIN, 3), b, udp(EndReason.RST, 4));
    expect(w.trackedTotals).toBe(0);
    expect(u.map((x) => [x.packetsA, x.bytesA])).toEqual([
      [3, 300],
      [2, 200],
      [4, 400],
    ]);
  });

  it('gives different flows different ids', () => {
    const b = udp(EndReason.FIN, 1);
    b.dstPort = 5001;
    const u = updatesOf(new FlowWireWriter(), udp(EndReason.FIN, 1), b);
    expect(u[0]!.flowId).not.toBe(u[1]!.flowId);
  });

  it('reuses a buffer given back with recycle() instead of allocating a new one', () => {
    const w = new FlowWireWriter();
    w.push(udp(EndReason.IDLE, 1));
    const a = w.take()!; // the writer now fills a fresh buffer B
    w.recycle(a.slots);
    w.push(udp(EndReason.IDLE, 2));
    const b = w.take()!; // B handed out; the writer goes on in A
    expect(b.slots).not.toBe(a.slots);
    w.push(udp(EndReason.IDLE, 3));
    const again = w.take()!;
    expect(again.slots).toBe(a.slots);
    expect(again.count).toBe(1);
    expect(flowUpdates(again.slots, again.count, 'eth0')[0]!.packetsA).toBe(3);
  });

  it('gives 200k flows that differ in one port, one address or their first nanosecond 200k different ids', () => {
    const r = udp(EndReason.IDLE, 1);
    const ids = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      r.srcPort = 1024 + (i % 50_000);
      r.src[0] = ((10 << 24) | (200 << 16) | (i % 3)) >>> 0;
      const id = flowId(r, r.firstSec, i < 150_000 ? r.firstNsec : i);
      expect(id).toBeLessThan(2 ** 52);
      ids.add(id);
    }
    expect(ids.size).toBe(200_000);
  });

  it('shows a flow that is not IP by its EtherType and MACs (no address), an IP flow with its MACs', () => {
    const arp = arpRecord(0x0a0b0c0d, 1);
    const ip = udp(EndReason.FIN, 1);
    ip.srcMacHi = 0x0200;
    ip.srcMacLo = 1;
    ip.hasMac = 1;
    const u = updatesOf(new FlowWireWriter(), arp, ip, udp(EndReason.FIN, 2));
    expect(u.map((x) => FlowUpdateSchema.parse(x))).toHaveLength(3);
    expect(u.map((x) => [x.etherType, x.srcAddr, x.dstAddr, x.srcMac, x.dstMac])).toEqual([
      [0x0806, '', '', '02:00:0a:0b:0c:0d', 'ff:ff:ff:ff:ff:ff'],
      [0, '10.200.0.1', '10.200.0.2', '02:00:00:00:00:01', ''],
      [0, '10.200.0.1', '10.200.0.2', '', ''], // a capture without link-layer addresses (tun)
    ]);
  });
});
