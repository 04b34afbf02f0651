/**
 * Private Open vSwitch daemons for tests: ovsdb-server and ovs-vswitchd (userspace datapath) in a
 * folder under the run folder, optionally inside a network namespace of the test's own, stopped
 * by the pids in their pidfiles. Never the system service.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, currentRunId } from './run.js';
import { run, sleep, waitFor, type ExecResult } from './exec.js';
import type { Netns } from './netns.js';

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
let counter = 0;

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a daemon we started: only by the pid in our own pidfile, and only if its cmdline names our folder. */
export async function stopByPidfile(pidfile: string, dir: string): Promise<void> {
  const pid = readPid(pidfile);
  if (!pid || !alive(pid)) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(dir)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
}

export class OvsDaemons {
  readonly dbSock: string;

  constructor(
    readonly dir: string,
    readonly ns: Netns | null,
  ) {
    this.dbSock = join(dir, 'db.sock');
  }

  private nsPrefix(): string[] {
    return this.ns ? ['ip', 'netns', 'exec', this.ns.name] : [];
  }

  get vswitchdPid(): number | undefined {
    return readPid(join(this.dir, 'ovs-vswitchd.pid'));
  }

  get ovsdbPid(): number | undefined {
    return readPid(join(this.dir, 'ovsdb-server.pid'));
  }

  /** The control socket of the running vswitchd. */
  get ctlPath(): string {
    return join(this.dir, `ovs-vswitchd.${this.vswitchdPid ?? 0}.ctl`);
  }

  vsctl(...args: string[]): Promise<ExecResult> {
    return run(['ovs-vsctl', `--db=unix:${this.dbSock}`, '--timeout=10', ...args], { timeoutMs: 15_000 });
  }

  appctl(...args: string[]): Promise<ExecResult> {
    return run(['ovs-appctl', '-t', this.ctlPath, ...args], { timeoutMs: 15_000 });
  }

  async startOvsdb(): Promise<void> {
    await run([
      ...this.nsPrefix(),
      'ovsdb-server',
      join(this.dir, 'conf.db'),
      `--remote=punix:${this.dbSock}`,
      `--pidfile=${join(this.dir, 'ovsdb-server.pid')}`,
      `--unixctl=${join(this.dir, 'ovsdb-server.ctl')}`,
      `--log-file=${join(this.dir, 'ovsdb-server.log')}`,
      '--detach',
    ]);
    await waitFor(() => existsSync(this.dbSock), 'ovsdb-server socket');
  }

  async startVswitchd(): Promise<void> {
    await run(
      [
        ...this.nsPrefix(),
        'env',
        `OVS_RUNDIR=${this.dir}`,
        'ovs-vswitchd',
        `unix:${this.dbSock}`,
        `--pidfile=${join(this.dir, 'ovs-vswitchd.pid')}`,
        `--log-file=${join(this.dir, 'ovs-vswitchd.log')}`,
        '--detach',
      ],
      { timeoutMs: 30_000 },
    );
    await waitFor(() => existsSync(this.ctlPath), 'ovs-vswitchd control socket');
  }

  async stopVswitchd(): Promise<void> {
    await stopByPidfile(join(this.dir, 'ovs-vswitchd.pid'), this.dir);
  }

  async stopOvsdb(): Promise<void> {
    await stopByPidfile(join(this.dir, 'ovsdb-server.pid'), this.dir);
  }

  async restartVswitchd(): Promise<void> {
    await this.stopVswitchd();
    await this.startVswitchd();
  }

  /** A bridge on the userspace (netdev) datapath. Bridge names are free: only the OVS folder knows them. */
  async addBridge(name: string): Promise<void> {
    await this.vsctl('add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev');
  }

  async addPort(bridge: string, port: string, ...extra: string[]): Promise<void> {
    await this.vsctl('add-port', bridge, port, ...extra);
  }

  async stop(): Promise<void> {
    await this.stopVswitchd();
    await this.stopOvsdb();
  }
}

/**
 * Starts ovsdb-server and ovs-vswitchd in a private folder. Pass a namespace to keep the datapath's
 * own devices (ovs-netdev, bridge internal ports) out of the root namespace; ports must then be
 * interfaces of that namespace.
 */
export async function startOvs(ns: Netns | null = null): Promise<OvsDaemons> {
  const dir = join(runDir(currentRunId()), `ovs-${process.pid}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  await run(['ovsdb-tool', 'create', join(dir, 'conf.db'), SCHEMA]);
  const d = new OvsDaemons(dir, ns);
  try {
    await d.startOvsdb();
    await d.vsctl('--no-wait', 'init');
    await d.startVswitchd();
  } catch (e) {
    await d.stop();
    throw e;
  }
  return d;
}
