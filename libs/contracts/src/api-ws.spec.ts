import { describe, expect, it } from 'vitest';
import { ClientMessageSchema, ServerMessageSchema } from './api-ws.js';

describe('ClientMessageSchema', () => {
  it('accepts a full subscription and the small messages', () => {
    const sub = {
      type: 'subscribe',
      id: 's-1',
      streams: ['frames', 'flows'],
      interfaces: ['veth*'],
      filter: 'udp port 53',
      maxRate: 100,
      raw: true,
    };
    expect(ClientMessageSchema.parse(sub)).toEqual(sub);
    expect(ClientMessageSchema.parse({ type: 'unsubscribe', id: 's-1' }).type).toBe('unsubscribe');
    expect(ClientMessageSchema.parse({ type: 'ping' }).type).toBe('ping');
  });

  it('refuses unknown types, unknown fields, bad ids, streams, patterns and rates', () => {
    const bad = [
      { type: 'launch' },
      { type: 'subscribe', id: 'a', streams: ['frames'], extra: 1 },
      { type: 'subscribe', id: 'a b', streams: ['frames'] },
      { type: 'subscribe', id: 'a', streams: [] },
      { type: 'subscribe', id: 'a', streams: ['packets'] },
      { type: 'subscribe', id: 'a', streams: ['frames'], interfaces: ["eth0'"] },
      { type: 'subscribe', id: 'a', streams: ['frames'], maxRate: 0 },
      { type: 'subscribe', id: 'a', streams: ['frames'], filter: 'x'.repeat(4097) },
      { type: 'unsubscribe' },
    ];
    for (const m of bad) expect(ClientMessageSchema.safeParse(m).success, JSON.stringify(m).slice(0, 80)).toBe(false);
  });
});

describe('ServerMessageSchema', () => {
  it('validates the strings the gateway builds by hand', () => {
    const lost = JSON.parse('{"type":"lost","n":3,"reason":"queue","total":10}') as unknown;
    expect(ServerMessageSchema.parse(lost)).toEqual({ type: 'lost', n: 3, reason: 'queue', total: 10 });
    const frames = JSON.parse(
      '{"type":"frames","id":"s","frames":[{"ts":"1795662600000000001","iface":"v","caplen":60,"len":60,"summary":"x","raw":"AAEC","rawTruncated":true}]}',
    ) as unknown;
    expect(ServerMessageSchema.safeParse(frames).success).toBe(true);
    expect(ServerMessageSchema.safeParse({ type: 'lost', n: 0, reason: 'queue', total: 0 }).success).toBe(false);
  });
});
