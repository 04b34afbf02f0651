/**
 * `nicscope ovs [--rundir DIR] [--db REMOTE] [--json] [--watch]`: Open vSwitch datapaths with
 * fastpath / slowpath / lost rates and lookup-tier shares, bridges, ports with their owners (VM,
 * container) and rates, and the interval's top megaflows. Two samples `--interval` seconds apart;
 * `--watch` keeps sampling and redraws in place (JSON: one object per line).
 * A host without OVS is normal: the command says so once and exits 0 (docs/decisions/0300).
 */
import { type Command } from 'commander';
import { asString, collectSnapshot, joinInventory, openOvs, type OvsSample, type OvsSnapshot } from '@nicscope/ovs';
import { listInterfaces, type NetInterface } from '@nicscope/netdev';
import { type CliContext, UsageError } from '../context.js';

interface OvsOptions {
  rundir?: string;
  db?: string;
  json?: boolean;
  watch?: boolean;
  interval?: string;
  top?: string;
}

/** JSON with bigint counters as decimal strings and Maps as objects. */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k: string, x: unknown): unknown =>
    typeof x === 'bigint' ? x.toString() : x instanceof Map ? Object.fromEntries(x) : x,
  );
}

const pct = (r: number | null | undefined): string =>
  r === null || r === undefined ? '-' : `${(r * 100).toFixed(1)}%`;
const num = (n: number | null | undefined, d = 1): string => (n === null || n === undefined ? '-' : n.toFixed(d));

function table(rows: string[][]): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ')).join('\n');
}

/** The host inventory (libs/netdev), told the OVS ports we already know so it does not ask OVSDB again. */
async function hostInventory(snap: OvsSnapshot): Promise<NetInterface[]> {
  try {
    return await listInterfaces({ ovsPorts: new Map(snap.mapping.map((m) => [m.interface, m.bridge])) });
  } catch {
    return [];
  }
}

export function renderOvs(
  snap: OvsSnapshot,
  s: OvsSample,
  version: string,
  errors: string[],
  inventory: readonly NetInterface[],
): string {
  const out: string[] = [];
  out.push(
    `Open vSwitch ${version || '?'}  vswitchd pid ${snap.vswitchd_pid ?? '-'}  interval ${s.interval_s.toFixed(1)} s${s.baseline ? '  (baseline: rates from the next sample)' : ''}`,
  );
  for (const e of errors) out.push(`! ${e}`);
  if (snap.datapaths.length) {
    const rows = [['DATAPATH', 'LOOKUPS/s', 'FASTPATH', 'SLOWPATH', 'LOST', 'FLOWS', 'MASKS/PKT']];
    for (const dp of snap.datapaths) {
      const r = s.datapaths.find((x) => x.datapath === dp.name);
      rows.push([
        dp.name,
        r ? num(r.lookups / r.interval_s) : '-',
        pct(r?.fastpath_ratio),
        pct(r?.slowpath_ratio),
        pct(r?.lost_ratio),
        String(dp.flows ?? '-'),
        num(r?.masks_hit_per_pkt, 2),
      ]);
    }
    out.push('', table(rows));
    for (const r of s.datapaths) {
      if (r.tier_packets === null) continue;
      out.push(
        `  ${r.datapath} tiers: phwol ${pct(r.share_phwol)}  simple ${pct(r.share_simple_match)}  emc ${pct(r.share_emc)}  smc ${pct(r.share_smc)}  megaflow ${pct(r.share_megaflow)}  upcall ok ${pct(r.share_upcall_ok)}  upcall failed ${pct(r.share_upcall_failed)}  lost ${pct(r.share_lost)}`,
      );
    }
  }
  if (snap.mapping.length) {
    const host = joinInventory(snap.mapping, inventory);
    const rows = [
      [
        'BRIDGE',
        'PORT',
        'OFPORT',
        'TYPE',
        'OWNER',
        'HOST',
        'RX pps',
        'TX pps',
        'RX B/s',
        'TX B/s',
        'DROP/s',
        'ERR/s',
        'FASTPATH~',
      ],
    ];
    for (const m of host) {
      const p = s.ports.find((x) => x.interface === m.interface);
      const owner = m.owner_kind ? `${m.owner_kind}:${m.owner_id}` : '-';
      rows.push([
        m.bridge,
        m.port === m.interface ? m.port : `${m.port}/${m.interface}`,
        String(m.ofport ?? '-'),
        m.type || 'system',
        owner,
        m.inventory ? (m.inventory.vmName ? `vm ${m.inventory.vmName}` : m.inventory.kind) : '-',
        num(p?.rx_pps),
        num(p?.tx_pps),
        num(p?.rx_bytes_ps, 0),
        num(p?.tx_bytes_ps, 0),
        p ? num(p.rx_dropped_ps + p.tx_dropped_ps) : '-',
        p ? num(p.rx_errors_ps + p.tx_errors_ps) : '-',
        pct(p?.fastpath_est),
      ]);
    }
    out.push('', table(rows));
    if (!s.ports.length && !s.baseline)
      out.push(
        '  (port rates need two Interface statistics updates, which vswitchd writes every ~5 s: use --watch or --interval 11)',
      );
  }
  if (s.megaflows.length) {
    out.push('', 'TOP MEGAFLOWS (packets in the interval; * = installed in the interval)');
    for (const f of s.megaflows)
      out.push(`  ${String(f.packets).padStart(8)} ${f.fresh ? '*' : ' '} ${f.datapath} ${f.match} -> ${f.actions}`);
  }
  for (const e of s.events) out.push(`reset: ${e.scope} ${e.subject}: ${e.reason} (${e.detail})`);
  return out.join('\n');
}

export function registerOvs(program: Command, ctx: CliContext): void {
  program
    .command('ovs')
    .description(
      'Open vSwitch: datapath fastpath/slowpath/lost rates, lookup tiers, ports and their owners, top megaflows',
    )
    .option('--rundir <dir>', 'OVS run directory (default: ovs.rundir)')
    .option('--db <remote>', 'OVSDB remote unix:PATH or tcp:HOST:PORT (default: ovs.db or unix:<rundir>/db.sock)')
    .option('--json', 'print JSON (with --watch: one object per line)')
    .option('--watch', 'keep sampling and refresh in place (Ctrl-C to stop)')
    .option('--interval <s>', 'seconds between samples (default: 2 for one shot, ovs.intervalS with --watch)')
    .option('--top <n>', 'megaflows shown (default: ovs.megaflowsTop)')
    .action(async (opts: OvsOptions) => {
      const cfg = ctx.cfg.config.ovs;
      const intervalS = opts.interval !== undefined ? Number(opts.interval) : opts.watch ? cfg.intervalS : 2;
      if (!Number.isFinite(intervalS) || intervalS < 0.1 || intervalS > 3600)
        throw new UsageError(`--interval ${JSON.stringify(opts.interval)}: expected seconds 0.1..3600`);
      const top = opts.top !== undefined ? Number(opts.top) : cfg.megaflowsTop;
      if (!Number.isInteger(top) || top < 0 || top > 10_000)
        throw new UsageError(`--top ${JSON.stringify(opts.top)}: expected an integer 0..10000`);
      let opened: Awaited<ReturnType<typeof openOvs>>;
      try {
        opened = await openOvs({ ...cfg, megaflowsTop: top }, { rundir: opts.rundir, db: opts.db });
      } catch (e) {
        throw new UsageError((e as Error).message); // a malformed --db / ovs.db remote
      }
      if (!opened.present) {
        console.log(opts.json ? toJson({ ovs: false, reason: opened.reason }) : opened.reason);
        return;
      }
      const { client, control: ctl, sources, sampler } = opened;
      await client.whenSynced(cfg.timeoutMs).catch((e: Error) => ctx.logger.warn(`OVSDB: ${e.message}`));
      let stop = false;
      const onSig = (): void => {
        stop = true;
      };
      process.once('SIGINT', onSig);
      let daemonVersion = '';
      const version = (): string => {
        for (const r of client.rows('Open_vSwitch').values()) {
          const v = asString(r.ovs_version);
          if (v) return v;
        }
        return daemonVersion;
      };
      // ovs_version is only filled by the distribution's start scripts: ask vswitchd once otherwise.
      daemonVersion = await ctl
        .call('version')
        .then((t) => /\(Open vSwitch\) (\S+)/.exec(t)?.[1] ?? '')
        .catch(() => '');
      try {
        let samples = 0;
        let failedBoth = 0;
        while (!stop) {
          const { snapshot, errors } = await collectSnapshot(sources);
          const sample = sampler.sample(snapshot);
          samples++;
          failedBoth = errors.length === sources.length ? failedBoth + 1 : 0;
          const errs = errors.map((e) => `${e.source}: ${e.error.message}`);
          if (!opts.watch && failedBoth > 0) throw new Error(`Open vSwitch unreachable: ${errs.join('; ')}`);
          if (opts.watch || samples >= 2) {
            if (opts.json)
              console.log(
                toJson({
                  ovs: true,
                  version: version(),
                  vswitchd_pid: snapshot.vswitchd_pid,
                  errors: errs,
                  mapping: joinInventory(snapshot.mapping, await hostInventory(snapshot)).map(
                    ({ inventory, ...m }) => ({
                      ...m,
                      host: inventory
                        ? { ifindex: inventory.ifindex, kind: inventory.kind, vm_name: inventory.vmName ?? '' }
                        : null,
                    }),
                  ),
                  ...sample,
                }),
              );
            else {
              const text = renderOvs(snapshot, sample, version(), errs, await hostInventory(snapshot));
              console.log(opts.watch && process.stdout.isTTY ? `\x1b[H\x1b[2J${text}` : text);
            }
          }
          if (!opts.watch && samples >= 2) break;
          const until = Date.now() + intervalS * 1000;
          while (!stop && Date.now() < until)
            await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
        }
      } finally {
        process.off('SIGINT', onSig);
        opened.close();
      }
    });
}
