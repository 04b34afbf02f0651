/**
 * Open vSwitch on this host: inventory from OVSDB (monitor) and datapath counters from vswitchd's
 * control socket, sampled every `ovs.intervalS`; rows to storage, rates to the live path. No OVS on
 * the host is normal: said once, nothing else happens.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { type NicscopeConfig } from '@nicscope/config';
import { type LivePublisher } from '@nicscope/contracts';
import { collectSnapshot, openOvs, type OpenedOvs } from '@nicscope/ovs';
import { ovsDatapath, ovsMegaflows, ovsPorts, type Storage } from '@nicscope/storage';
import { CONFIG } from '../config/config.module';
import { LIVE_PUBLISHER } from '../live/live.tokens';
import { ovsRates, writeOvsRows } from './ovs-rows';

@Injectable()
export class OvsService {
  private opened: Extract<OpenedOvs, { present: true }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private lastErrors = '';
  private tick: () => Promise<void> = () => Promise.resolve();
  state = 'absent';
  samples = 0;

  constructor(
    @Inject(CONFIG) private readonly cfg: NicscopeConfig,
    private readonly log: PinoLogger,
    @Optional() @Inject(LIVE_PUBLISHER) private readonly publisher?: LivePublisher,
  ) {
    this.log.setContext('ovs');
  }

  async start(storage: Storage, collector: string): Promise<void> {
    const o = await openOvs(this.cfg.ovs);
    if (!o.present) {
      this.log.info({ reason: o.reason }, 'Open vSwitch not monitored');
      this.state = 'absent';
      return;
    }
    this.opened = o;
    this.state = 'monitoring';
    this.log.info({ rundir: this.cfg.ovs.rundir }, 'monitoring Open vSwitch');
    const writers = {
      datapath: storage.writer(ovsDatapath),
      ports: storage.writer(ovsPorts),
      megaflows: storage.writer(ovsMegaflows),
    };
    this.tick = async (): Promise<void> => {
      if (this.sampling || !this.opened) return;
      this.sampling = true;
      try {
        const { snapshot, errors } = await collectSnapshot(this.opened.sources);
        const text = errors.map((e) => `${e.source}: ${e.error.message}`).join('; ');
        if (text !== this.lastErrors) {
          if (text) this.log.warn({ errors: text }, 'Open vSwitch partly unreachable');
          else if (this.lastErrors) this.log.info('Open vSwitch reachable again');
          this.lastErrors = text;
        }
        const sample = this.opened.sampler.sample(snapshot);
        this.samples++;
        for (const ev of sample.events) this.log.info(ev, 'OVS counter reset: new baseline');
        let resets = 0;
        for (const n of this.opened.sampler.resets.values()) resets += n;
        if (!sample.baseline) {
          writeOvsRows(sample, snapshot, collector, resets, writers);
          this.publisher?.publishOvs(ovsRates(sample, resets));
        }
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'OVS sample failed');
      } finally {
        this.sampling = false;
      }
    };
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.cfg.ovs.intervalS * 1000);
    this.timer.unref();
  }

  /** Takes a last sample (the counters at shutdown), then closes the OVSDB and control connections. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.sampling) await new Promise((r) => setTimeout(r, 10));
    await this.tick();
    this.opened?.close();
    this.opened = undefined;
  }
}
