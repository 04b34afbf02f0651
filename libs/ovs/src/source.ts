/**
 * Statistics sources (STYLE §14): each I/O endpoint fills its part of a snapshot of cumulative
 * counters. `UnixctlStatsSource` reads vswitchd (dpctl/show -s, pmd-stats-show, bounded megaflow
 * dumps); `OvsdbStatsSource` reads the OVSDB view (Interface statistics, port mapping).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDpctlShow } from './parsers/dpctl-show.js';
import { parsePmdStatsShow } from './parsers/pmd-stats.js';
import { parseDumpFlows } from './parsers/dump-flows.js';
import { type OvsdbClient } from './ovsdb/ovsdb-client.js';
import { type VswitchdControl } from './unixctl/vswitchd-control.js';
import { buildPortMapping, interfaceStatistics } from './sampler/mapping.js';
import { emptySnapshot, type OvsSnapshot } from './sampler/types.js';

export interface OvsStatsSource {
  readonly name: string;
  /** Adds what this source knows to the snapshot; throws when the endpoint is unreachable. */
  collect(into: OvsSnapshot): Promise<void>;
  close(): void;
}

export interface UnixctlSourceOptions {
  /** Take megaflow dumps (only when a datapath holds at most `megaflowsMaxDump` flows). */
  megaflows?: boolean;
  megaflowsMaxDump?: number;
}

export class UnixctlStatsSource implements OvsStatsSource {
  readonly name = 'unixctl';
  /** Dumps skipped because the datapath held more flows than allowed. */
  dumpsSkipped = 0;

  constructor(
    private readonly ctl: VswitchdControl,
    private readonly opts: UnixctlSourceOptions = {},
  ) {}

  async collect(into: OvsSnapshot): Promise<void> {
    const show = await this.ctl.call('dpctl/show', '-s');
    into.vswitchd_pid = this.ctl.pid ?? null;
    into.datapaths = parseDpctlShow(show);
    if (into.datapaths.some((d) => d.type !== 'system')) {
      into.pmd = parsePmdStatsShow(await this.ctl.call('dpif-netdev/pmd-stats-show'));
    }
    if (this.opts.megaflows) {
      const max = this.opts.megaflowsMaxDump ?? 20_000;
      for (const dp of into.datapaths) {
        if (Number(dp.flows ?? 0n) > max) {
          this.dumpsSkipped++;
          continue;
        }
        into.megaflows.set(dp.name, parseDumpFlows(await this.ctl.call('dpctl/dump-flows', dp.name), max));
      }
    }
  }

  close(): void {
    this.ctl.close();
  }
}

export class OvsdbStatsSource implements OvsStatsSource {
  readonly name = 'ovsdb';

  constructor(private readonly client: OvsdbClient) {}

  collect(into: OvsSnapshot): Promise<void> {
    if (this.client.state !== 'synced')
      return Promise.reject(
        new Error(
          `OVSDB not synced (${this.client.state}${this.client.stats.lastError ? `: ${this.client.stats.lastError}` : ''})`,
        ),
      );
    into.interfaces = interfaceStatistics(this.client.view);
    into.mapping = buildPortMapping(this.client.view);
    return Promise.resolve();
  }

  close(): void {
    this.client.stop();
  }
}

export interface CollectResult {
  snapshot: OvsSnapshot;
  errors: Array<{ source: string; error: Error }>;
}

/** Collects from every source at one moment; a failing source is reported, the others still count. */
export async function collectSnapshot(
  sources: readonly OvsStatsSource[],
  now: () => number = Date.now,
): Promise<CollectResult> {
  const snapshot = emptySnapshot(now());
  const errors: CollectResult['errors'] = [];
  await Promise.all(
    sources.map((s) =>
      s.collect(snapshot).catch((e: unknown) => {
        errors.push({ source: s.name, error: e instanceof Error ? e : new Error(String(e)) });
      }),
    ),
  );
  return { snapshot, errors };
}

/** Whether OVS looks present in a run directory: its database socket or vswitchd pidfile exists. */
export async function detectOvs(rundir: string): Promise<{ present: boolean; reason: string }> {
  for (const f of ['db.sock', 'ovs-vswitchd.pid']) {
    try {
      await access(join(rundir, f));
      return { present: true, reason: `${join(rundir, f)} exists` };
    } catch {
      /* try the next */
    }
  }
  return {
    present: false,
    reason: `no Open vSwitch: neither ${rundir}/db.sock nor ${rundir}/ovs-vswitchd.pid exists`,
  };
}
