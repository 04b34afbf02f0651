/**
 * Live fan-out: takes what the LiveSource publishes and puts, for each client, only what its
 * subscriptions match into that client's bounded queue. No Nest here: the gateway wires sockets in,
 * tests drive it with real sockets too.
 *
 * Cost model: with no frame subscription, `onFrames` returns at once. A frame is tested against
 * each matching subscription's compiled BPF program on the capture buffer itself (no copy); its
 * summary JSON is built once, the first time a subscription matches, and shared by every client.
 */
import {
  ClientMessageSchema,
  type Alert,
  type FlowUpdate,
  type FrameSummarizer,
  type HealthSnapshot,
  type LiveFrameBatch,
  type LiveListener,
  type OvsRate,
  type ServerMessage,
  type Stream,
  type Subscribe,
  WS_CLOSE,
  issueLines,
} from '@nicscope/contracts';
import { RingQueue } from './ring-queue.js';

export interface FrameFilter {
  test(buf: Uint8Array, off: number, caplen: number, wirelen: number): boolean;
}
/** Compiles a tcpdump expression for a link type; throws an Error whose message is libpcap's text. */
export type FilterCompiler = (expr: string, linkType: number) => FrameFilter;

/** What the fan-out needs of a socket (a `ws` WebSocket fits). */
export interface SessionSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Text frames only: a Buffer holds UTF-8 JSON encoded once for many clients. */
  send(data: string | Buffer, opts?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export interface FanoutOptions {
  queueSize: number;
  slowCloseMs: number;
  rawMaxBytes: number;
  maxSubscriptions: number;
  /** Socket bytes in flight above which a client's queue stops draining into the socket. */
  highWaterBytes?: number;
  /** After a close, how long a client that reads nothing keeps its socket before it is cut (default 5 s). */
  closeGraceMs?: number;
  compile: FilterCompiler;
  summarizer: FrameSummarizer;
  now?: () => number;
}

export interface FanoutStats {
  clients: number;
  lostQueue: number;
  lostRate: number;
  closedSlow: number;
  messagesSent: number;
}

const OPEN = 1;
const HEADER = 16;
const MAX_CONTROL = 256;
const TEXT = { binary: false } as const;

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

class Subscription {
  readonly streams: ReadonlySet<Stream>;
  private readonly ifaces: RegExp[] | null;
  private readonly filters = new Map<number, FrameFilter | null>();
  readonly idJson: string;
  readonly raw: boolean;
  /** Frame JSON strings gathered while one batch is walked. */
  readonly pending: string[] = [];
  private tokens: number;
  private lastRefill: number;
  rateLost = 0;

  constructor(
    readonly id: string,
    readonly spec: Subscribe,
    firstFilter: FrameFilter | null,
    firstLinkType: number,
    now: number,
    private readonly compile: FilterCompiler,
  ) {
    this.streams = new Set(spec.streams);
    this.ifaces = spec.interfaces?.length ? spec.interfaces.map(globToRegExp) : null;
    if (firstFilter) this.filters.set(firstLinkType, firstFilter);
    this.idJson = JSON.stringify(id);
    this.raw = spec.raw === true;
    this.tokens = spec.maxRate ?? 0;
    this.lastRefill = now;
  }

  matchesIface(iface: string): boolean {
    if (!this.ifaces) return true;
    for (const re of this.ifaces) if (re.test(iface)) return true;
    return false;
  }

  /** The compiled filter for this link type; null = no filter; undefined = cannot compile (frames skipped). */
  filterFor(linkType: number): FrameFilter | null | undefined {
    const expr = this.spec.filter?.trim();
    if (!expr) return null;
    let f = this.filters.get(linkType);
    if (f === undefined) {
      try {
        f = this.compile(expr, linkType);
      } catch {
        this.filters.set(linkType, null);
        return undefined;
      }
      this.filters.set(linkType, f);
    } else if (f === null) return undefined;
    return f;
  }

  /** Token bucket over maxRate frames/s (burst: one second's worth). */
  admit(now: number): boolean {
    const rate = this.spec.maxRate;
    if (rate === undefined) return true;
    if (now > this.lastRefill) {
      this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) * rate) / 1000);
      this.lastRefill = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.rateLost++;
    return false;
  }
}

export class ClientSession {
  readonly subs = new Map<string, Subscription>();
  private readonly queue: RingQueue<string | Buffer>;
  private readonly control: string[] = [];
  private pendingLost = 0;
  totalLost = 0;
  private overflowSince = 0;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly socket: SessionSocket,
    readonly role: 'viewer' | 'admin',
    private readonly fanout: LiveFanout,
  ) {
    this.queue = new RingQueue<string | Buffer>(fanout.opts.queueSize);
  }

  get queued(): number {
    return this.queue.size;
  }

  /** A reply to the client's own request (subscribed, error, pong): ahead of data, never dropped. */
  sendControl(msg: ServerMessage): void {
    if (this.closed) return;
    if (this.control.length >= MAX_CONTROL) {
      this.close(WS_CLOSE.tooSlow, 'client too slow: control replies not read');
      return;
    }
    this.control.push(JSON.stringify(msg));
    this.scheduleFlush();
  }

  /** Queues a data message carrying `count` items; on overflow the oldest message is dropped. */
  enqueue(msg: string | Buffer, count: number): void {
    if (this.closed) return;
    const dropped = this.queue.push(msg, count);
    if (dropped > 0 || this.queue.size === this.queue.capacity) {
      if (dropped > 0) {
        this.pendingLost += dropped;
        this.totalLost += dropped;
        this.fanout.stats.lostQueue += dropped;
      }
      const now = this.fanout.now();
      if (this.overflowSince === 0) this.overflowSince = now;
      else if (now - this.overflowSince >= this.fanout.opts.slowCloseMs) {
        this.fanout.stats.closedSlow++;
        this.close(
          WS_CLOSE.tooSlow,
          `client too slow: queue full for ${now - this.overflowSince} ms, ${this.totalLost} lost`,
        );
        return;
      }
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.retryTimer) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.retryTimer = undefined;
    if (this.closed) return;
    const s = this.socket;
    if (s.readyState !== OPEN) return;
    const hwm = this.fanout.opts.highWaterBytes ?? 1 << 20;
    while (this.control.length > 0 && s.bufferedAmount < hwm) {
      s.send(this.control.shift()!);
    }
    while (s.bufferedAmount < hwm) {
      if (this.pendingLost > 0) {
        s.send(`{"type":"lost","n":${this.pendingLost},"reason":"queue","total":${this.totalLost}}`);
        this.pendingLost = 0;
      }
      const msg = this.queue.shift();
      if (msg === undefined) break;
      s.send(msg, TEXT);
      this.fanout.stats.messagesSent++;
    }
    if (this.queue.size * 2 < this.queue.capacity) this.overflowSince = 0;
    if (this.queue.size > 0 || this.control.length > 0 || this.pendingLost > 0) {
      // The socket is backed up: look again shortly; a client that stays full is closed on the next overflow
      // or here, when nothing new is published.
      if (this.overflowSince !== 0 && this.fanout.now() - this.overflowSince >= this.fanout.opts.slowCloseMs) {
        this.fanout.stats.closedSlow++;
        this.close(
          WS_CLOSE.tooSlow,
          `client too slow: queue full for ${this.fanout.now() - this.overflowSince} ms, ${this.totalLost} lost`,
        );
        return;
      }
      this.retryTimer = setTimeout(this.flush, 10);
    }
  };

  /** Tells the client about frames its maxRate held back (batched, at most once per publish). */
  reportRateLoss(sub: Subscription): void {
    if (sub.rateLost === 0) return;
    const n = sub.rateLost;
    sub.rateLost = 0;
    this.totalLost += n;
    this.fanout.stats.lostRate += n;
    this.enqueue(`{"type":"lost","n":${n},"reason":"rate","id":${sub.idJson},"total":${this.totalLost}}`, 0);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.queue.clear();
    this.fanout.remove(this);
    try {
      // The client learns what it missed even when it is closed for it.
      if (this.pendingLost > 0 && this.socket.readyState === OPEN) {
        this.socket.send(`{"type":"lost","n":${this.pendingLost},"reason":"queue","total":${this.totalLost}}`);
        this.pendingLost = 0;
      }
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      /* already closing */
    }
    // A client that does not read will not read the close frame either.
    const t = setTimeout(() => this.socket.terminate(), this.fanout.opts.closeGraceMs ?? 5000);
    t.unref();
  }

  /** Handles one text message from the client (already known to be text). */
  handleMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.sendControl({ type: 'error', code: 'bad_json', reason: `malformed JSON: ${(e as Error).message}` });
      return;
    }
    const parsed = ClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const id =
        typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string'
          ? (json as { id: string }).id.slice(0, 64)
          : undefined;
      this.sendControl({ type: 'error', id, code: 'bad_message', reason: issueLines(parsed.error).join('; ') });
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ping':
        this.sendControl({ type: 'pong', t: msg.t });
        return;
      case 'unsubscribe':
        if (!this.subs.delete(msg.id)) {
          this.sendControl({ type: 'error', id: msg.id, code: 'unknown_id', reason: `no subscription "${msg.id}"` });
          return;
        }
        this.fanout.changed();
        this.sendControl({ type: 'unsubscribed', id: msg.id });
        return;
      case 'subscribe':
        this.subscribe(msg);
        return;
    }
  }

  private subscribe(msg: Subscribe): void {
    if (this.subs.has(msg.id)) {
      this.sendControl({
        type: 'error',
        id: msg.id,
        code: 'duplicate_id',
        reason: `subscription "${msg.id}" exists; unsubscribe first`,
      });
      return;
    }
    if (this.subs.size >= this.fanout.opts.maxSubscriptions) {
      this.sendControl({
        type: 'error',
        id: msg.id,
        code: 'too_many',
        reason: `at most ${this.fanout.opts.maxSubscriptions} subscriptions per connection`,
      });
      return;
    }
    let first: FrameFilter | null = null;
    const expr = msg.filter?.trim();
    if (expr) {
      try {
        // Ethernet first: it is what almost every interface here reports; other link types compile on first use.
        first = this.fanout.opts.compile(expr, 1);
      } catch (e) {
        this.sendControl({ type: 'error', id: msg.id, code: 'bad_filter', reason: (e as Error).message });
        return;
      }
    }
    const sub = new Subscription(msg.id, msg, first, 1, this.fanout.now(), this.fanout.opts.compile);
    this.subs.set(msg.id, sub);
    this.fanout.changed();
    this.sendControl({ type: 'subscribed', id: msg.id, streams: [...sub.streams] });
    if (sub.streams.has('health')) {
      for (const h of this.fanout.healthSnapshot())
        this.enqueue(JSON.stringify({ type: 'health', id: msg.id, health: h }), 1);
    }
  }
}

function samePending(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Target {
  session: ClientSession;
  sub: Subscription;
}

export class LiveFanout implements LiveListener {
  readonly sessions = new Set<ClientSession>();
  readonly stats: FanoutStats = { clients: 0, lostQueue: 0, lostRate: 0, closedSlow: 0, messagesSent: 0 };
  readonly now: () => number;
  private frameTargets: Target[] = [];
  private readonly perIface = new Map<string, Target[]>();
  private health: () => readonly HealthSnapshot[] = () => [];
  /** Summaries built (for tests and metrics: stays 0 while nobody's filter matches). */
  summariesBuilt = 0;

  constructor(readonly opts: FanoutOptions) {
    this.now = opts.now ?? Date.now;
  }

  setHealthSource(fn: () => readonly HealthSnapshot[]): void {
    this.health = fn;
  }

  healthSnapshot(): readonly HealthSnapshot[] {
    return this.health();
  }

  get wantsFrames(): boolean {
    return this.frameTargets.length > 0;
  }

  add(socket: SessionSocket, role: 'viewer' | 'admin'): ClientSession {
    const s = new ClientSession(socket, role, this);
    this.sessions.add(s);
    this.stats.clients = this.sessions.size;
    return s;
  }

  remove(s: ClientSession): void {
    if (this.sessions.delete(s)) {
      this.stats.clients = this.sessions.size;
      this.changed();
    }
  }

  /** Subscriptions changed: rebuild the frame target list (rare; publishing is the hot side). */
  changed(): void {
    const t: Target[] = [];
    for (const session of this.sessions)
      for (const sub of session.subs.values()) if (sub.streams.has('frames')) t.push({ session, sub });
    this.frameTargets = t;
    this.perIface.clear();
  }

  private targetsFor(iface: string): Target[] {
    let t = this.perIface.get(iface);
    if (!t) {
      t = this.frameTargets.filter((x) => x.sub.matchesIface(iface));
      this.perIface.set(iface, t);
    }
    return t;
  }

  onFrames(batch: LiveFrameBatch): void {
    if (this.frameTargets.length === 0) return;
    const targets = this.targetsFor(batch.iface);
    const nt = targets.length;
    if (nt === 0) return;
    // One test per distinct filter expression per frame, however many subscriptions share it.
    const filters: Array<FrameFilter | null | undefined> = [];
    const slot = new Int32Array(nt);
    const exprs: string[] = [];
    for (let k = 0; k < nt; k++) {
      const expr = targets[k]!.sub.spec.filter?.trim() ?? '';
      let u = exprs.indexOf(expr);
      if (u < 0) {
        u = exprs.length;
        exprs.push(expr);
        filters.push(targets[k]!.sub.filterFor(batch.linkType));
      }
      slot[k] = u;
    }
    const verdict = new Int8Array(filters.length);
    const { buf, view, count, linkType, iface } = batch;
    const now = this.now();
    const summarizer = this.opts.summarizer;
    const rawMax = this.opts.rawMaxBytes;
    for (let i = 0, off = 0; i < count; i++) {
      const caplen = view.getUint32(off + 8, true);
      const wirelen = view.getUint32(off + 12, true);
      const data = off + HEADER;
      let json: string | undefined;
      let jsonRaw: string | undefined;
      verdict.fill(0);
      for (let k = 0; k < nt; k++) {
        const u = slot[k]!;
        let v = verdict[u]!;
        if (v === 0) {
          const f = filters[u];
          v = f === undefined ? -1 : f === null || f.test(buf, data, caplen, wirelen) ? 1 : -1;
          verdict[u] = v;
        }
        if (v < 0) continue;
        const tg = targets[k]!;
        if (tg.session.closed || !tg.sub.admit(now)) continue;
        if (json === undefined) {
          this.summariesBuilt++;
          const sec = view.getUint32(off, true);
          const nsec = view.getUint32(off + 4, true);
          const fields = summarizer.summarize(buf, data, caplen, wirelen, linkType);
          const summary = {
            ts: sec === 0 ? String(nsec) : `${sec}${String(nsec).padStart(9, '0')}`,
            iface,
            caplen,
            len: wirelen,
            ...fields,
          };
          json = JSON.stringify(summary);
        }
        if (tg.sub.raw) {
          if (jsonRaw === undefined) {
            const n = Math.min(caplen, rawMax);
            const b64 = Buffer.from(buf.buffer, buf.byteOffset + data, n).toString('base64');
            jsonRaw = `${json.slice(0, -1)},"raw":"${b64}"${n < caplen ? ',"rawTruncated":true' : ''}}`;
          }
          tg.sub.pending.push(jsonRaw);
        } else tg.sub.pending.push(json);
      }
      off += HEADER + ((caplen + 3) & ~3);
    }
    // Subscriptions that matched the same frames under the same id (many clients, one filter) share one
    // message string (the frame JSON strings are the same objects, so comparing them is a pointer check).
    let prev: Subscription | undefined;
    let prevMsg: Buffer | undefined;
    for (let k = 0; k < nt; k++) {
      const { session, sub } = targets[k]!;
      const n = sub.pending.length;
      if (n > 0) {
        let msg: Buffer;
        if (
          prev !== undefined &&
          prevMsg !== undefined &&
          prev.idJson === sub.idJson &&
          samePending(prev.pending, sub.pending)
        )
          msg = prevMsg;
        else {
          // Encoded to UTF-8 once here, not once per client by the socket.
          msg = Buffer.from(`{"type":"frames","id":${sub.idJson},"frames":[${sub.pending.join(',')}]}`);
          if (prev !== undefined) prev.pending.length = 0;
          prev = sub;
          prevMsg = msg;
        }
        session.enqueue(msg, n);
        if (prev !== sub) sub.pending.length = 0;
      }
      if (sub.rateLost > 0) session.reportRateLoss(sub);
    }
    if (prev !== undefined) prev.pending.length = 0;
  }

  private each(stream: Stream, fn: (session: ClientSession, sub: Subscription) => void): void {
    for (const session of this.sessions)
      for (const sub of session.subs.values()) if (sub.streams.has(stream)) fn(session, sub);
  }

  onFlows(updates: readonly FlowUpdate[]): void {
    this.each('flows', (session, sub) => {
      const flows = updates.filter((u) => sub.matchesIface(u.iface));
      if (flows.length) session.enqueue(JSON.stringify({ type: 'flows', id: sub.id, flows }), flows.length);
    });
  }

  onOvs(rates: readonly OvsRate[]): void {
    this.each('ovs', (session, sub) => {
      if (rates.length) session.enqueue(JSON.stringify({ type: 'ovs', id: sub.id, rates }), rates.length);
    });
  }

  onHealth(health: HealthSnapshot): void {
    this.each('health', (session, sub) => session.enqueue(JSON.stringify({ type: 'health', id: sub.id, health }), 1));
  }

  onAlert(alert: Alert): void {
    this.each('alerts', (session, sub) => {
      if (alert.iface === undefined || sub.matchesIface(alert.iface))
        session.enqueue(JSON.stringify({ type: 'alert', id: sub.id, alert }), 1);
    });
  }

  closeAll(code: number, reason: string): void {
    for (const s of [...this.sessions]) s.close(code, reason);
  }
}
