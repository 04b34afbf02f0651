/** Owns the fan-out and its link to the LiveSource; the gateway only hands it sockets. */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WS_CLOSE } from '@nicscope/contracts';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PacketSummarizer } from './packet-summarizer.js';
import { compileBpf } from './bpf.js';
import { LiveFanout } from './fanout.js';
import { InProcessLiveBus } from './in-process-bus.js';

@Injectable()
export class LiveService implements OnModuleInit, OnModuleDestroy {
  readonly fanout: LiveFanout;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(API_OPTIONS) private readonly opts: ApiOptions,
    metrics: MetricsService,
  ) {
    const live = opts.config.live;
    this.fanout = new LiveFanout({
      queueSize: live.queueSize,
      slowCloseMs: live.slowCloseMs,
      rawMaxBytes: live.rawMaxBytes,
      maxSubscriptions: live.maxSubscriptions,
      compile: compileBpf,
      summarizer: opts.summarizer ?? new PacketSummarizer(),
    });
    this.fanout.setHealthSource(() => opts.live.lastHealth());
    metrics.setWsStats(() => this.fanout.stats);
  }

  onModuleInit(): void {
    this.unsubscribe = this.opts.live.subscribe(this.fanout);
    if (this.opts.live instanceof InProcessLiveBus) this.opts.live.setFrameDemand(() => this.fanout.wantsFrames);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.fanout.closeAll(WS_CLOSE.goingAway, 'server shutting down');
  }
}
