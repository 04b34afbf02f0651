/**
 * /metrics: one prom-client Registry for the process. Collector figures come from the health
 * snapshots on the LiveSource (cumulative counters as the collector counts them); WebSocket figures
 * from the fan-out. The embedding collector may register its own metrics in `registry` too.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type HealthSnapshot, type LiveSource } from '@nicscope/contracts';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LIVE_SOURCE } from '../api.options.js';
import { type FanoutStats } from '../live/fanout.js';

type Labels = 'collector' | 'iface';

export class CaptureRates {
  private readonly prev = new Map<string, { at: number; packets: number }>();
  /** Packets per second per collector/iface from the last two snapshots. */
  update(h: HealthSnapshot): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of h.captures) {
      const key = `${h.collector}\u0000${c.iface}`;
      const p = this.prev.get(key);
      if (p && h.atMs > p.at && c.packets >= p.packets)
        out.set(c.iface, ((c.packets - p.packets) * 1000) / (h.atMs - p.at));
      else out.set(c.iface, 0);
      this.prev.set(key, { at: h.atMs, packets: c.packets });
    }
    return out;
  }
}

@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private wsStats: () => FanoutStats = () => ({
    clients: 0,
    lostQueue: 0,
    lostRate: 0,
    closedSlow: 0,
    messagesSent: 0,
  });
  private readonly rates = new CaptureRates();
  private pps = new Map<string, Map<string, number>>();
  private unsubscribe: (() => void) | undefined;

  constructor(@Inject(LIVE_SOURCE) private readonly live: LiveSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'nicscope_api_process_' });
    const health = (): readonly HealthSnapshot[] => this.live.lastHealth();
    const perCapture = (name: string, help: string, pick: (c: HealthSnapshot['captures'][number]) => number): void => {
      new Counter<Labels>({
        name,
        help,
        labelNames: ['collector', 'iface'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const h of health())
            for (const c of h.captures) this.inc({ collector: h.collector, iface: c.iface }, pick(c));
        },
      });
    };
    perCapture('nicscope_collector_capture_packets_total', 'Packets captured per interface', (c) => c.packets);
    perCapture('nicscope_collector_capture_bytes_total', 'Bytes captured per interface', (c) => c.bytes);
    perCapture(
      'nicscope_collector_capture_kernel_drops_total',
      'Packets dropped by the kernel before capture',
      (c) => c.kernelDrops,
    );
    perCapture('nicscope_collector_capture_if_drops_total', 'Packets dropped by the interface', (c) => c.ifDrops);
    perCapture('nicscope_collector_decode_malformed_total', 'Malformed or truncated frames', (c) => c.malformed);
    const pps = (): Map<string, Map<string, number>> => this.pps;
    new Gauge<Labels>({
      name: 'nicscope_collector_capture_packets_per_second',
      help: 'Packets per second per interface, between the last two health snapshots',
      labelNames: ['collector', 'iface'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [collector, m] of pps()) for (const [iface, v] of m) this.set({ collector, iface }, v);
      },
    });
    new Gauge<Labels>({
      name: 'nicscope_collector_capture_running',
      help: '1 while the capture on this interface runs',
      labelNames: ['collector', 'iface'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const h of health())
          for (const c of h.captures) this.set({ collector: h.collector, iface: c.iface }, c.running ? 1 : 0);
      },
    });
    const perCollector = (
      name: string,
      help: string,
      kind: 'counter' | 'gauge',
      pick: (h: HealthSnapshot) => number,
    ): void => {
      const cfg = { name, help, labelNames: ['collector'] as const, registers: [this.registry] };
      if (kind === 'counter')
        new Counter({
          ...cfg,
          collect() {
            this.reset();
            for (const h of health()) this.inc({ collector: h.collector }, pick(h));
          },
        });
      else
        new Gauge({
          ...cfg,
          collect() {
            this.reset();
            for (const h of health()) this.set({ collector: h.collector }, pick(h));
          },
        });
    };
    perCollector('nicscope_collector_flows_active', 'Flows in the flow tables', 'gauge', (h) => h.flowsActive);
    perCollector(
      'nicscope_collector_flows_evicted_total',
      'Flows evicted because a table was full',
      'counter',
      (h) => h.flowsEvicted,
    );
    perCollector(
      'nicscope_collector_storage_batch_rows_total',
      'Rows written by the batch writer',
      'counter',
      (h) => h.batchRows,
    );
    perCollector('nicscope_collector_storage_batches_total', 'Batches written', 'counter', (h) => h.batches);
    perCollector(
      'nicscope_collector_storage_batch_latency_seconds',
      'Latency of the last batch insert',
      'gauge',
      (h) => h.batchLatencyMs / 1000,
    );
    perCollector(
      'nicscope_collector_storage_spool_bytes',
      'Bytes waiting in the disk spool',
      'gauge',
      (h) => h.spoolBytes,
    );
    const ws = (): FanoutStats => this.wsStats();
    new Gauge({
      name: 'nicscope_api_ws_clients',
      help: 'Connected WebSocket clients',
      registers: [this.registry],
      collect() {
        this.set(ws().clients);
      },
    });
    new Counter({
      name: 'nicscope_api_ws_lost_total',
      help: 'Items (frames, flow updates…) not delivered to WebSocket clients, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
      collect() {
        this.reset();
        const s = ws();
        this.inc({ reason: 'queue' }, s.lostQueue);
        this.inc({ reason: 'rate' }, s.lostRate);
      },
    });
    new Counter({
      name: 'nicscope_api_ws_closed_slow_total',
      help: 'WebSocket clients closed for being too slow',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(ws().closedSlow);
      },
    });
    new Counter({
      name: 'nicscope_api_ws_messages_sent_total',
      help: 'Data messages written to WebSocket clients',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(ws().messagesSent);
      },
    });
  }

  onModuleInit(): void {
    this.unsubscribe = this.live.subscribe({
      onHealth: (h) => {
        this.pps.set(h.collector, this.rates.update(h));
      },
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  setWsStats(fn: () => FanoutStats): void {
    this.wsStats = fn;
  }
}
