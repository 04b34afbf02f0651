/**
 * Removes what killed test runs left behind: namespaces (after killing the processes inside them,
 * which only tests started), root-namespace links, and OVS daemons from their pidfiles in the run
 * folder. Only resources named with the project's prefix and a run id whose owner is dead are
 * touched; a live run's resources are never touched.
 */
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LINK_PREFIX, NETNS_PREFIX, RUN_ID_RE, STATE_ROOT, isRunAlive } from './run.js';
import { tryRun } from './exec.js';
import { stopByPidfile } from './ovs.js';

export interface SweepReport {
  namespaces: string[];
  links: string[];
  daemons: string[];
  runs: string[];
}

function runIdOfNetns(name: string): string | undefined {
  if (!name.startsWith(NETNS_PREFIX)) return undefined;
  const id = name.slice(NETNS_PREFIX.length, NETNS_PREFIX.length + 4);
  return RUN_ID_RE.test(id) ? id : undefined;
}

function runIdOfLink(name: string): string | undefined {
  if (!name.startsWith(LINK_PREFIX) || name.length < LINK_PREFIX.length + 4) return undefined;
  const id = name.slice(LINK_PREFIX.length, LINK_PREFIX.length + 4);
  return RUN_ID_RE.test(id) ? id : undefined;
}

/** Removes the resources of dead runs, and of `alsoRun` (the current run, at its global teardown). */
export async function sweepDeadRuns(alsoRun?: string): Promise<SweepReport> {
  const report: SweepReport = { namespaces: [], links: [], daemons: [], runs: [] };
  const dead = (id: string | undefined): id is string => id !== undefined && (id === alsoRun || !isRunAlive(id));

  // 1. OVS daemons of dead runs (pidfiles in the run folder).
  const runs = existsSync(STATE_ROOT) ? readdirSync(STATE_ROOT).filter((d) => RUN_ID_RE.test(d)) : [];
  for (const id of runs.filter(dead)) {
    const dir = join(STATE_ROOT, id);
    for (const sub of readdirSync(dir).filter((s) => s.startsWith('ovs-'))) {
      const odir = join(dir, sub);
      for (const pf of ['ovs-vswitchd.pid', 'ovsdb-server.pid']) {
        if (existsSync(join(odir, pf))) {
          await stopByPidfile(join(odir, pf), odir);
          report.daemons.push(join(odir, pf));
        }
      }
    }
  }

  // 2. Namespaces: kill what runs inside, then delete.
  const nsList = await tryRun(['ip', '-j', 'netns', 'list']);
  const nsNames = nsList.stdout.trim() ? (JSON.parse(nsList.stdout) as Array<{ name: string }>).map((n) => n.name) : [];
  for (const name of nsNames.filter((n) => dead(runIdOfNetns(n)))) {
    const pids = await tryRun(['ip', 'netns', 'pids', name]);
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await tryRun(['ip', 'netns', 'del', name]);
    report.namespaces.push(name);
  }

  // 3. Root-namespace links.
  const links = await tryRun(['ip', '-j', 'link', 'show']);
  const linkNames = links.stdout.trim()
    ? (JSON.parse(links.stdout) as Array<{ ifname: string }>).map((l) => l.ifname)
    : [];
  for (const name of linkNames.filter((n) => dead(runIdOfLink(n)))) {
    await tryRun(['ip', 'link', 'del', name]);
    report.links.push(name);
  }

  // 4. Run folders.
  for (const id of runs.filter(dead)) {
    rmSync(join(STATE_ROOT, id), { recursive: true, force: true });
    report.runs.push(id);
  }
  return report;
}
