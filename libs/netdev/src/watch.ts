/**
 * Keeps the inventory current by polling at a bounded rate (docs/decisions/0100-netdev-polling.md):
 * each poll lists the interfaces and reports what was added, removed or changed (counters are not
 * a change; they are in every snapshot).
 */
import { listInterfaces } from './collect.js';
import type { ListOptions, NetInterface } from './types.js';

export interface InventoryChange {
  added: NetInterface[];
  removed: NetInterface[];
  changed: NetInterface[];
  all: NetInterface[];
}

export interface WatchOptions extends ListOptions {
  /** Poll period; at least 250 ms (default 2000). */
  intervalMs?: number;
}

export const MIN_WATCH_INTERVAL_MS = 250;

/** What identifies the state of an interface apart from its counters. */
export function shapeOf(i: NetInterface): string {
  return JSON.stringify([
    i.kind,
    i.ifindex,
    i.mac,
    i.mtu,
    i.operstate,
    i.flags,
    i.promiscuity,
    i.master ?? null,
    i.peer ?? null,
    i.ports ?? null,
    (i.owners ?? []).map((o) => o.pid),
    i.vmName ?? null,
  ]);
}

export function diffInventory(
  prev: ReadonlyMap<string, string>,
  next: readonly NetInterface[],
  prevList: readonly NetInterface[],
): InventoryChange {
  const nextNames = new Set(next.map((i) => i.name));
  const added: NetInterface[] = [];
  const changed: NetInterface[] = [];
  for (const i of next) {
    const before = prev.get(i.name);
    if (before === undefined) added.push(i);
    else if (before !== shapeOf(i)) changed.push(i);
  }
  const removed = prevList.filter((i) => !nextNames.has(i.name));
  return { added, removed, changed, all: [...next] };
}

export class InterfaceWatcher {
  private timer: NodeJS.Timeout | undefined;
  private shapes = new Map<string, string>();
  private last: NetInterface[] = [];
  private running = false;
  readonly intervalMs: number;
  /** Polls done and polls that failed (the last error is kept). */
  polls = 0;
  failures = 0;
  lastError: Error | undefined;

  constructor(private readonly opts: WatchOptions = {}) {
    this.intervalMs = Math.max(MIN_WATCH_INTERVAL_MS, opts.intervalMs ?? 2000);
  }

  /** The latest snapshot. */
  get current(): readonly NetInterface[] {
    return this.last;
  }

  /** Polls now, then every intervalMs; `onChange` is called when something was added, removed or changed (and on the first poll). */
  start(onChange: (c: InventoryChange) => void): void {
    if (this.running) return;
    this.running = true;
    const tick = async (): Promise<void> => {
      try {
        const list = await listInterfaces(this.opts);
        this.polls++;
        const first = this.polls === 1;
        const c = diffInventory(this.shapes, list, this.last);
        this.shapes = new Map(list.map((i) => [i.name, shapeOf(i)]));
        this.last = list;
        if (this.running && (first || c.added.length + c.removed.length + c.changed.length > 0)) onChange(c);
      } catch (e) {
        this.failures++;
        this.lastError = e instanceof Error ? e : new Error(String(e));
      }
      if (this.running) {
        this.timer = setTimeout(() => void tick(), this.intervalMs);
        this.timer.unref();
      }
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
