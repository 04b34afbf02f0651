/**
 * REST query parameters under /api/v1, validated at the edge (a failure is a 400 whose body names
 * each bad parameter). Limits that depend on configuration (longest range, most rows) are checked by
 * the API after parsing. Every value reaches ClickHouse only as a query parameter.
 */
import { z } from 'zod';

/** ISO-8601 date-time or epoch milliseconds. */
const Instant = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const ms = /^\d{1,15}$/.test(s)
      ? Number(s)
      : /^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(s)
        ? Date.parse(s)
        : NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(s)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

const Iface = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'an interface name: letters, digits and _ . : @ -');
const Addr = z.union([z.ipv4(), z.ipv6()], { error: 'an IPv4 or IPv6 address' });
const Port = z.coerce.number({ error: 'a port 0..65535' }).int().min(0).max(65535);
const Proto = z.union([
  z.enum(['tcp', 'udp', 'icmp', 'icmp6', 'gre', 'sctp', 'esp']),
  z.coerce.number({ error: 'a protocol name or number' }).int().min(0).max(255),
]);
const Vlan = z.coerce.number({ error: 'a VLAN id 0..4095' }).int().min(0).max(4095);
const Tunnel = z.enum(['none', 'vxlan', 'geneve', 'gre']);

export const PROTO_NUMBERS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmp6: 58,
  gre: 47,
  sctp: 132,
  esp: 50,
};

export const TimeRangeQuerySchema = z.strictObject({
  from: Instant,
  to: Instant.optional(),
});

export const FlowFilterSchema = z.strictObject({
  from: Instant,
  to: Instant.optional(),
  iface: Iface.optional(),
  addr: Addr.optional(),
  port: Port.optional(),
  proto: Proto.optional(),
  vlan: Vlan.optional(),
  tunnel: Tunnel.optional(),
});

export const FlowsQuerySchema = FlowFilterSchema.extend({
  limit: z.coerce.number({ error: 'an integer' }).int().min(1).optional(),
  offset: z.coerce.number({ error: 'an integer' }).int().min(0).max(1_000_000).optional(),
});
export type FlowsQuery = z.infer<typeof FlowsQuerySchema>;

export const TopQuerySchema = FlowFilterSchema.extend({
  by: z.enum(['bytes', 'packets']).optional(),
  n: z.coerce.number({ error: 'an integer' }).int().min(1).optional(),
});
export type TopQuery = z.infer<typeof TopQuerySchema>;

export const SeriesQuerySchema = z.strictObject({
  from: Instant,
  to: Instant.optional(),
  iface: Iface.optional(),
  /** Bucket width in seconds; a multiple of 60 (the rollups are per minute). */
  step: z.coerce.number({ error: 'an integer number of seconds' }).int().min(60).max(86400).multipleOf(60).optional(),
});
export type SeriesQuery = z.infer<typeof SeriesQuerySchema>;

export const OvsQuerySchema = z.strictObject({
  from: Instant,
  to: Instant.optional(),
  datapath: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:@-]+$/, 'a datapath name (ovs-netdev, ovs-system)')
    .optional(),
});
export type OvsQuery = z.infer<typeof OvsQuerySchema>;

export const HealthQuerySchema = z.strictObject({ from: Instant, to: Instant.optional(), iface: Iface.optional() });
export type HealthQuery = z.infer<typeof HealthQuerySchema>;

export const CreateTokenSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_. -]+$/, 'letters, digits, space and _ . -'),
  role: z.enum(['viewer', 'admin']),
});
export type CreateToken = z.infer<typeof CreateTokenSchema>;

/** The body of every 4xx/5xx answer. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** One line per problem: `from: expected an ISO-8601 time…`. */
  reasons: string[];
}

/** Renders zod issues as `path: message` lines. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
}
