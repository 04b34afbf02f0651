/** One capture-vs-tcpdump comparison on one interface during one burst of traffic. */
import { join } from 'node:path';
import { expect } from 'vitest';
import { suiteDir } from '../../support/tmp.js';
import { sleep } from '../../support/exec.js';
import type { Netns } from '../../support/netns.js';
import { CaptureChild, Tcpdump, summarizeFile, tsharkSummary, type ChildInterfaceResult } from './child.js';

export interface Comparison {
  ours: ChildInterfaceResult;
  tcpdump: { captured: number; received: number; dropped: number };
  oursFile: string;
  refFile: string;
  windowMs: [number, number];
}

const dir = suiteDir('nicscope-capture');

/**
 * Captures on `dev` in `ns` with libs/pcap (child process, pcap file) and with tcpdump at the
 * same time, runs `traffic`, then checks: no drops on either side, the same packets in the same
 * order (wire length and bytes), tshark reads both files the same, timestamps monotonic and inside
 * the traffic's wall-clock window.
 */
export async function compareWithTcpdump(
  ns: Netns,
  dev: string,
  filter: string,
  traffic: () => Promise<void>,
  opts: { minPackets: number; linkTypes?: number[] },
): Promise<Comparison> {
  const tag = `${dev}-${Date.now()}`;
  const oursFile = join(dir, `${tag}.ours.pcap`);
  const refFile = join(dir, `${tag}.tcpdump.pcap`);
  const ours = new CaptureChild(ns, { devices: [dev], filter, writeFile: oursFile, snaplen: 2048, timeoutMs: 20 });
  const ref = new Tcpdump(ns, dev, refFile, [filter]);
  await Promise.all([ours.ready(), ref.ready()]);
  await sleep(150);
  const t0 = Date.now();
  await traffic();
  const t1 = Date.now();
  // tcpdump's block timeout is 1 s: let it hand over its last block before SIGINT.
  await sleep(1300);
  const [res, tcp] = await Promise.all([ours.stop(), ref.stop()]);
  const o = res[0]!;
  expect(tcp.dropped, 'tcpdump dropped packets: reference invalid').toBe(0);
  expect(o.error).toBeUndefined();
  expect(o.stats?.drop).toBe(0);
  if (opts.linkTypes) expect(opts.linkTypes).toContain(o.linkType);
  expect(o.packets).toBeGreaterThanOrEqual(opts.minPackets);
  // The same packets (count, bytes, order, content) as tcpdump.
  const a = summarizeFile(oursFile);
  const b = summarizeFile(refFile);
  expect(a.packets).toBe(tcp.captured);
  expect(a.packets).toBe(o.packets);
  expect(a.bytes).toBe(o.bytes);
  expect(a.linkType === b.linkType || [a.linkType, b.linkType].every((l) => l === 12 || l === 101)).toBe(true);
  expect(a.frames).toEqual(b.frames);
  // tshark reads our file as it reads tcpdump's.
  const [ta, tb] = await Promise.all([tsharkSummary(oursFile), tsharkSummary(refFile)]);
  expect(ta).toEqual(tb);
  expect(ta.packets).toBe(o.packets);
  // Timestamps: monotonic, inside the traffic's wall-clock window (10 ms slack for clock reads).
  expect(o.backwards).toBe(0);
  const first = o.first[0] * 1000 + o.first[1] / 1e6;
  const last = o.last[0] * 1000 + o.last[1] / 1e6;
  expect(first).toBeGreaterThanOrEqual(t0 - 10);
  expect(last).toBeLessThanOrEqual(t1 + 10);
  expect(last).toBeGreaterThanOrEqual(first);
  return { ours: o, tcpdump: tcp, oursFile, refFile, windowMs: [t0, t1] };
}
