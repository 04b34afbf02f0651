/**
 * Statistics sources (STYLE §14): each I/O endpoint fills its part of a snapshot of cumulative
 * counters. `UnixctlStatsSource` reads vswitchd (dpctl/show -s, pmd-stats-show, bounded megaflow
 * dumps); `OvsdbStatsSource` reads the OVSDB view (Interface statistics, port mapping).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDpctlShow } from './parsers/dpctl-show.js';
import { JsonRpcError } from './rpc/jsonrpc.js';
import { parsePmdStatsShow } from './parsers/pmd-stats.js';
import { parseDumpFlows } from './parsers/dump-flows.js';
import { OvsdbClient } from './ovsdb/ovsdb-client.js';
import { VswitchdControl } from './unixctl/vswitchd-control.js';
import { OvsSampler } from './sampler/sampler.js';
import { buildPortMapping, interfaceStatistics, sameStatistics } from './sampler/mapping.js';
import { asString } from './ovsdb/datum.js';
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
  /** Dumps vswitchd answered with an error. */
  dumpErrors = 0;

  constructor(
    private readonly ctl: VswitchdControl,
    private readonly opts: UnixctlSourceOptions = {},
  ) {}

  async collect(into: OvsSnapshot): Promise<void> {
    const show = await this.ctl.call('dpctl/show', '-s');
    const pid = this.ctl.pid ?? null;
    into.vswitchd_pid = pid;
    into.datapaths = parseDpctlShow(show);
    if (into.datapaths.some((d) => d.type !== 'system')) {
      // A build without the command answers with an error: no tiers, the rest still counts.
      into.pmd = await this.ctl
        .call('dpif-netdev/pmd-stats-show')
        .then(parsePmdStatsShow)
        .catch((e: unknown) => {
          if (e instanceof JsonRpcError) return null;
          throw e;
        });
    }
    if (this.opts.megaflows) {
      const max = this.opts.megaflowsMaxDump ?? 20_000;
      for (const dp of into.datapaths) {
        if (Number(dp.flows ?? 0n) > max) {
          this.dumpsSkipped++;
          continue;
        }
        try {
          into.megaflows.set(dp.name, parseDumpFlows(await this.ctl.call('dpctl/dump-flows', dp.name), max));
        } catch (e) {
          if (!(e instanceof JsonRpcError)) throw e;
          this.dumpErrors++;
        }
      }
    }
    // Readings from two daemons must not be mixed: a restart between the calls spoils this collection.
    if ((this.ctl.pid ?? null) !== pid) {
      into.datapaths = [];
      into.pmd = null;
      into.megaflows.clear();
      throw new Error(`ovs-vswitchd restarted during the collection (pid ${pid} → ${this.ctl.pid})`);
    }
  }

  close(): void {
    this.ctl.close();
  }
}

export class OvsdbStatsSource implements OvsStatsSource {
  readonly name = 'ovsdb';
  /** When each interface's statistics were last seen to change (from the monitor's change events). */
  private readonly statsUpdated = new Map<string, number>();
  private readonly off: () => void;

  constructor(
    private readonly client: OvsdbClient,
    now: () => number = Date.now,
  ) {
    this.off = client.onChange((c) => {
      if (c.table !== 'Interface') return;
      const name = asString((c.row ?? c.old)?.name);
      if (!name) return;
      // A row seen at (re)connection has statistics of unknown age: only a live change gives a time.
      if (c.kind === 'delete' || c.kind === 'insert' || c.resync) this.statsUpdated.delete(name);
      else if (!sameStatistics(c.row?.statistics, c.old?.statistics)) this.statsUpdated.set(name, now());
    });
  }

  collect(into: OvsSnapshot): Promise<void> {
    if (this.client.state !== 'synced')
      return Promise.reject(
        new Error(
          `OVSDB not synced (${this.client.state}${this.client.stats.lastError ? `: ${this.client.stats.lastError}` : ''})`,
        ),
      );
    into.interfaces = interfaceStatistics(this.client.view, this.statsUpdated);
    into.mapping = buildPortMapping(this.client.view);
    return Promise.resolve();
  }

  close(): void {
    this.off();
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

export interface OvsConfigLike {
  enabled: 'auto' | 'on' | 'off';
  rundir: string;
  db: string;
  megaflowsTop: number;
  megaflowsMaxDump: number;
  timeoutMs: number;
}

export type OpenedOvs =
  | { present: false; reason: string }
  | {
      present: true;
      client: OvsdbClient;
      control: VswitchdControl;
      sources: OvsStatsSource[];
      sampler: OvsSampler;
      close(): void;
    };

/**
 * Builds the adapters, sources and sampler from the `ovs` configuration, or says why not (no OVS
 * on this host is normal: the caller logs `reason` once and goes on). The OVSDB client is started;
 * timers are the caller's (`collectSnapshot(sources)` then `sampler.sample(snapshot)` per interval).
 */
export async function openOvs(
  cfg: OvsConfigLike,
  overrides: { rundir?: string; db?: string } = {},
): Promise<OpenedOvs> {
  const rundir = overrides.rundir ?? cfg.rundir;
  const explicitDb = overrides.db ?? cfg.db;
  if (cfg.enabled === 'off' && !overrides.rundir && !overrides.db)
    return { present: false, reason: 'Open vSwitch: disabled by configuration (ovs.enabled=off)' };
  if (!explicitDb && cfg.enabled !== 'on') {
    const found = await detectOvs(rundir);
    if (!found.present) return { present: false, reason: found.reason };
  }
  const client = new OvsdbClient({
    remote: explicitDb || `unix:${join(rundir, 'db.sock')}`,
    requestTimeoutMs: cfg.timeoutMs,
  });
  const control = new VswitchdControl({ rundir, timeoutMs: cfg.timeoutMs });
  const sources: OvsStatsSource[] = [
    new UnixctlStatsSource(control, {
      megaflows: cfg.megaflowsTop > 0 && cfg.megaflowsMaxDump > 0,
      megaflowsMaxDump: cfg.megaflowsMaxDump,
    }),
    new OvsdbStatsSource(client),
  ];
  client.start();
  return {
    present: true,
    client,
    control,
    sources,
    sampler: new OvsSampler({ megaflowsTop: cfg.megaflowsTop }),
    close: () => sources.forEach((s) => s.close()),
  };
}
