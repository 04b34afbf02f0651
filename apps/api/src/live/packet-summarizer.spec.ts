import { describe, expect, it } from 'vitest';
import { PacketSummarizer } from './packet-summarizer.js';

// Ethernet 02:aa::1 > 02:aa::2, IPv4 10.200.9.1 > 10.200.9.2, UDP 4000 > 5000, 4 bytes of payload
const UDP =
  '02aa0000000202aa000000010800' + '4500002000000000401100000ac809010ac80902' + '0fa01388000c0000' + '61616161';

describe(PacketSummarizer.name, () => {
  it('summarizes a UDP frame with libs/packet, without the time and interface prefix', () => {
    const b = new Uint8Array(Buffer.from(UDP, 'hex'));
    const s = new PacketSummarizer().summarize(b, 0, b.length, b.length, 1);
    expect(s).toMatchObject({ proto: 'UDP', src: '10.200.9.1', dst: '10.200.9.2', sport: 4000, dport: 5000 });
    expect(s.summary).toMatch(
      /^02:aa:00:00:00:01 > 02:aa:00:00:00:02, IP 10\.200\.9\.1\.4000 > 10\.200\.9\.2\.5000: UDP/,
    );
  });

  it('reads a frame at an offset inside a larger buffer and says what a truncated one lacks', () => {
    const frame = Buffer.from(UDP, 'hex');
    const buf = new Uint8Array(64 + frame.length);
    buf.set(frame, 64);
    const sum = new PacketSummarizer();
    expect(sum.summarize(buf, 64, frame.length, frame.length, 1).dport).toBe(5000);
    const cut = sum.summarize(buf, 64, 20, frame.length, 1);
    expect(cut.dport).toBeUndefined();
    expect(cut.summary).toMatch(/malformed|truncated|captured 20/);
  });
});
