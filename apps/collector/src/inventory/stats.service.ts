/**
 * Every interval: interface counters (kernel + capture, drops by where they happened) and the
 * collector's own loss accounting (collector_health) into storage, a health snapshot to the live
 * path; inventory snapshots whenever the inventory changes.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { type NicscopeConfig } from '@nicscope/config';
import { type HealthSnapshot, type LivePublisher } from '@nicscope/contracts';
import { type NetInterface } from '@nicscope/netdev';
import { collectorHealth, interfaceCounters, inventory, type Storage } from '@nicscope/storage';
import { CaptureService } from '../capture/capture.service';
import { CONFIG } from '../config/config.module';
import { LIVE_PUBLISHER } from '../live/live.tokens';
import { macNumber } from '../pipeline/frame-rows';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

@Injectable()
export class StatsService {
  private timer: NodeJS.Timeout | undefined;
  private storage: Storage | undefined;
  private collector = '';
  private readonly startedNs = nowNs();
  private snapshotSeq = 0;
  private latestInventory: readonly NetInterface[] = [];

  constructor(
    @Inject(CONFIG) private readonly cfg: NicscopeConfig,
    private readonly capture: CaptureService,
    private readonly log: PinoLogger,
    @Optional() @Inject(LIVE_PUBLISHER) private readonly publisher?: LivePublisher,
  ) {
    this.log.setContext('stats');
  }

  start(storage: Storage, collector: string): void {
    this.storage = storage;
    this.collector = collector;
    this.capture.onInventory = (list) => this.writeInventory(list);
    this.timer = setInterval(() => this.sample(), this.cfg.flow.interimS * 1000);
    this.timer.unref();
  }

  writeInventory(list: readonly NetInterface[]): void {
    this.latestInventory = list;
    if (!this.storage) return;
    const w = this.storage.writer(inventory);
    const ts = nowNs();
    const id = Date.now() * 1000 + (this.snapshotSeq++ % 1000);
    for (const i of list) {
      w.append({
        ts,
        collector: this.collector,
        snapshot_id: id,
        netns: i.netns,
        iface: i.name,
        ifindex: i.ifindex,
        kind: i.kind,
        driver: i.driver?.name ?? '',
        mac: macNumber(i.mac),
        mtu: i.mtu,
        oper_state: i.operstate,
        master: i.master?.name ?? '',
        peer: i.peer?.name ?? '',
        peer_netns: i.peer?.netns ?? '',
        ovs_bridge: i.master?.ovsBridge ?? '',
        owner: i.vmName ?? i.owners?.map((o) => `${o.command}[${o.pid}]`).join(',') ?? '',
        addresses: '',
      });
    }
  }

  /** One sample of every counter (also called at shutdown so the last interval is not lost). */
  sample(): HealthSnapshot {
    const ts = nowNs();
    const byName = new Map(this.latestInventory.map((i) => [i.name, i]));
    let kernelDrops = this.capture.ended.drops;
    let ifDrops = this.capture.ended.ifdrops;
    let malformed = this.capture.ended.malformed;
    let evictions = this.capture.ended.evictions;
    let flowsActive = 0;
    const captures: HealthSnapshot['captures'] = [];
    const counters = this.storage?.writer(interfaceCounters);
    for (const st of this.capture.captures.values()) {
      const s = st.stats;
      const k = byName.get(st.itf.name)?.counters ?? st.itf.counters;
      if (s) {
        kernelDrops += s.drop;
        ifDrops += s.ifdrop;
        malformed += s.malformed;
        evictions += s.evictions;
        flowsActive += s.flowsActive;
      }
      captures.push({
        iface: st.itf.name,
        running: st.running,
        packets: s?.packets ?? 0,
        bytes: s?.bytes ?? 0,
        kernelDrops: s?.drop ?? 0,
        ifDrops: s?.ifdrop ?? 0,
        malformed: s?.malformed ?? 0,
        ...(st.error ? { error: st.error } : {}),
      });
      counters?.append({
        ts,
        collector: this.collector,
        iface: st.itf.name,
        netns: st.itf.netns,
        ifindex: st.itf.ifindex,
        rx_packets: k.rxPackets,
        rx_bytes: k.rxBytes,
        tx_packets: k.txPackets,
        tx_bytes: k.txBytes,
        rx_errors: k.rxErrors,
        tx_errors: k.txErrors,
        rx_dropped: k.rxDropped,
        tx_dropped: k.txDropped,
        rx_missed: 0,
        capture_received: s?.recv ?? 0,
        capture_dropped_kernel: s?.drop ?? 0,
        capture_dropped_iface: s?.ifdrop ?? 0,
        // The collector drops nothing itself: a writer that is behind sends its batch to the spool.
        capture_dropped_app: 0,
        malformed: s?.malformed ?? 0,
      });
    }
    const h = this.storage?.health();
    if (this.storage && h) {
      this.storage.writer(collectorHealth).append({
        ts,
        collector: this.collector,
        started: this.startedNs,
        kernel_drops: kernelDrops,
        iface_drops: ifDrops,
        malformed,
        flow_evictions: evictions,
        ...h,
      });
    }
    const snapshot: HealthSnapshot = {
      collector: this.collector,
      atMs: Date.now(),
      captures,
      flowsActive,
      flowsEvicted: evictions,
      batchRows: h?.rows_written ?? 0,
      batches: 0,
      batchLatencyMs: 0,
      spoolBytes: h?.spool_bytes ?? 0,
    };
    this.publisher?.publishHealth(snapshot);
    return snapshot;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
