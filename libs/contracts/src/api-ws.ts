/**
 * The WebSocket protocol at `/ws`: every message a client may send (`ClientMessage`) and every
 * message the server sends (`ServerMessage`). JSON text frames, one message per frame.
 * docs/api.md documents each one with an example.
 */
import { z } from 'zod';
import { AlertSchema, FlowUpdateSchema, FrameSummarySchema, HealthSnapshotSchema, OvsRateSchema } from './live.js';

export const STREAMS = ['frames', 'flows', 'ovs', 'alerts', 'health'] as const;
export const StreamSchema = z.enum(STREAMS);
export type Stream = z.infer<typeof StreamSchema>;

/** Subscription id chosen by the client: short, printable, unique per connection. */
export const SubscriptionIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

const IfaceNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:@*?-]+$/, 'an interface name or pattern (* and ? wildcards)');

export const SubscribeSchema = z.strictObject({
  type: z.literal('subscribe'),
  id: SubscriptionIdSchema,
  streams: z.array(StreamSchema).min(1).max(STREAMS.length),
  /** Interface names or patterns; empty or absent: every interface. */
  interfaces: z.array(IfaceNameSchema).max(256).optional(),
  /** tcpdump filter syntax, compiled with libpcap, applied to frames. Empty: every frame. */
  filter: z.string().max(4096).optional(),
  /** Frames per second at most for this subscription (the rest are counted as lost, reason 'rate'). */
  maxRate: z.number().int().min(1).max(1_000_000).optional(),
  /** Include the captured bytes (base64, capped at live.rawMaxBytes) in each frame summary. */
  raw: z.boolean().optional(),
});
export type Subscribe = z.infer<typeof SubscribeSchema>;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  SubscribeSchema,
  z.strictObject({ type: z.literal('unsubscribe'), id: SubscriptionIdSchema }),
  z.strictObject({ type: z.literal('ping'), t: z.number().optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ErrorCodeSchema = z.enum([
  'bad_json',
  'bad_message',
  'bad_filter',
  'duplicate_id',
  'unknown_id',
  'too_many',
]);

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    version: z.literal(1),
    role: z.enum(['viewer', 'admin']),
    queueSize: z.number().int(),
    maxSubscriptions: z.number().int(),
  }),
  z.object({ type: z.literal('subscribed'), id: z.string(), streams: z.array(StreamSchema) }),
  z.object({ type: z.literal('unsubscribed'), id: z.string() }),
  z.object({ type: z.literal('error'), id: z.string().optional(), code: ErrorCodeSchema, reason: z.string() }),
  z.object({ type: z.literal('frames'), id: z.string(), frames: z.array(FrameSummarySchema) }),
  z.object({ type: z.literal('flows'), id: z.string(), flows: z.array(FlowUpdateSchema) }),
  z.object({ type: z.literal('ovs'), id: z.string(), rates: z.array(OvsRateSchema) }),
  z.object({ type: z.literal('alert'), id: z.string(), alert: AlertSchema }),
  z.object({ type: z.literal('health'), id: z.string(), health: HealthSnapshotSchema }),
  /** Messages this client did not get: `queue` = its queue overflowed (oldest dropped), `rate` = maxRate. */
  z.object({
    type: z.literal('lost'),
    n: z.number().int().positive(),
    reason: z.enum(['queue', 'rate']),
    id: z.string().optional(),
    total: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('pong'), t: z.number().optional() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** WebSocket close codes the server uses (4000–4999 is the application range). */
export const WS_CLOSE = {
  /** No or bad token at the handshake is refused with HTTP 401 before the upgrade; 4401 if it expires later. */
  unauthorized: 4401,
  /** The client's queue stayed full longer than live.slowCloseMs. */
  tooSlow: 4008,
  /** Missed pongs. */
  keepalive: 4000,
  /** Server shutdown. */
  goingAway: 1001,
} as const;

/** Subprotocol prefix that carries the token from browsers (which cannot set headers on a WebSocket). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'nicscope.token.';
