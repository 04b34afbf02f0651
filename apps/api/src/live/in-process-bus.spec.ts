import { describe, expect, it } from 'vitest';
import { InProcessLiveBus } from './in-process-bus.js';

const batch = {
  iface: 'x',
  linkType: 1,
  buf: new Uint8Array(0),
  view: new DataView(new ArrayBuffer(0)),
  count: 0,
  byteLength: 0,
};

describe(InProcessLiveBus.name, () => {
  it('wants frames only while a frame listener is subscribed', () => {
    const bus = new InProcessLiveBus();
    expect(bus.wantsFrames).toBe(false);
    const off = bus.subscribe({ onFrames: () => undefined });
    expect(bus.wantsFrames).toBe(true);
    off();
    off();
    expect(bus.wantsFrames).toBe(false);
  });

  it('counts a listener that throws and still calls the others; the publisher never sees the error', () => {
    const bus = new InProcessLiveBus();
    const seen: string[] = [];
    bus.subscribe({
      onFrames: () => {
        throw new Error('bug');
      },
      onFlows: () => {
        throw new Error('bug');
      },
    });
    bus.subscribe({ onFrames: (b) => seen.push(b.iface), onFlows: (u) => seen.push(`flows ${u.length}`) });
    expect(() => bus.publishFrames(batch)).not.toThrow();
    bus.publishFlows([]);
    expect(seen).toEqual(['x', 'flows 0']);
    expect(bus.listenerErrors).toBe(2);
  });

  it('keeps the last health snapshot of each collector', () => {
    const bus = new InProcessLiveBus();
    const h = (collector: string, atMs: number) => ({
      collector,
      atMs,
      captures: [],
      flowsActive: 0,
      flowsEvicted: 0,
      batchRows: 0,
      batches: 0,
      batchLatencyMs: 0,
      spoolBytes: 0,
    });
    bus.publishHealth(h('a', 1));
    bus.publishHealth(h('b', 2));
    bus.publishHealth(h('a', 3));
    expect(bus.lastHealth().map((x) => [x.collector, x.atMs])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });
});
