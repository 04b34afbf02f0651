/**
 * The embedded-mode LiveBus: the collector calls publish*, the gateway's listener runs in the same
 * call (synchronously, on the capture's event-loop turn). A listener that throws is counted and
 * detached from nothing: the publisher never sees the error.
 */
import {
  type Alert,
  type FlowUpdate,
  type HealthSnapshot,
  type LiveBus,
  type LiveFrameBatch,
  type LiveListener,
  type OvsRate,
} from '@nicscope/contracts';

export class InProcessLiveBus implements LiveBus {
  private listeners: LiveListener[] = [];
  private frameListeners = 0;
  private readonly health = new Map<string, HealthSnapshot>();
  /** Exceptions thrown by listeners (a bug on the API side; capture goes on). */
  listenerErrors = 0;
  /** The last of them, for the log and for tests. */
  lastListenerError: unknown;
  /** Set by the gateway: true while at least one client subscribes to frames. */
  private frameDemand: () => boolean = () => this.frameListeners > 0;

  get wantsFrames(): boolean {
    return this.frameDemand();
  }

  /** The gateway tells the bus whether anybody wants frames right now (so the collector can skip work). */
  setFrameDemand(fn: () => boolean): void {
    this.frameDemand = fn;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners = [...this.listeners, listener];
    if (listener.onFrames) this.frameListeners++;
    return () => {
      const before = this.listeners.length;
      this.listeners = this.listeners.filter((l) => l !== listener);
      if (listener.onFrames && this.listeners.length < before) this.frameListeners--;
    };
  }

  lastHealth(): readonly HealthSnapshot[] {
    return [...this.health.values()];
  }

  publishFrames(batch: LiveFrameBatch): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      if (!l.onFrames) continue;
      try {
        l.onFrames(batch);
      } catch (e) {
        this.listenerErrors++;
        this.lastListenerError = e;
      }
    }
  }

  publishFlows(updates: readonly FlowUpdate[]): void {
    for (const l of this.listeners) this.call(() => l.onFlows?.(updates));
  }

  publishOvs(rates: readonly OvsRate[]): void {
    for (const l of this.listeners) this.call(() => l.onOvs?.(rates));
  }

  publishHealth(snapshot: HealthSnapshot): void {
    this.health.set(snapshot.collector, snapshot);
    for (const l of this.listeners) this.call(() => l.onHealth?.(snapshot));
  }

  publishAlert(alert: Alert): void {
    for (const l of this.listeners) this.call(() => l.onAlert?.(alert));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.listenerErrors++;
      this.lastListenerError = e;
    }
  }
}
