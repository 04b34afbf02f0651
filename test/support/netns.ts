/**
 * Test topologies in network namespaces: namespaces, veth pairs, bridges, tap/tun devices, macvlan
 * and VXLAN links, all named from the run id (run.ts) and removed by `destroy()`, also when a test
 * fails. A run killed midway is cleaned up by the next run (sweep.ts).
 *
 * Network safety: addresses are only ever assigned inside namespaces the topology created, from
 * 10.200.0.0/16 and fd00:200::/64 (checked here), so test traffic never leaves them.
 */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { LINK_PREFIX, NETNS_PREFIX, currentRunId } from './run.js';
import { run, start, tryRun, waitExit, type ExecResult } from './exec.js';

const SUPPORT_DIR = __dirname;
export const TUNTAP_PY = join(SUPPORT_DIR, 'tuntap.py');
export const RAWSEND_PY = join(SUPPORT_DIR, 'rawsend.py');

let seq = 0;
function nextTag(): string {
  seq = (seq + 1) % 36 ** 2;
  return `${process.pid.toString(36).slice(-2)}${seq.toString(36).padStart(2, '0')}`;
}

/** A link name that is unique in this run: `nsc` + run id + 4 chars + tag, at most 15 chars. */
export function linkName(tag = ''): string {
  const name = `${LINK_PREFIX}${currentRunId()}${nextTag()}${tag}`;
  if (name.length > 15) throw new Error(`link tag "${tag}" too long: "${name}" exceeds 15 characters`);
  return name;
}

export function netnsName(tag = ''): string {
  return `${NETNS_PREFIX}${currentRunId()}-${nextTag()}${tag ? `-${tag}` : ''}`;
}

function assertTestAddress(cidr: string): void {
  const addr = cidr.split('/')[0] ?? '';
  const ok = addr.includes(':') ? addr.toLowerCase().startsWith('fd00:200:') : addr.startsWith('10.200.');
  if (!ok) throw new Error(`test address ${cidr} is outside 10.200.0.0/16 and fd00:200::/64`);
}

export class Netns {
  constructor(
    readonly name: string,
    private readonly topo: Topology,
  ) {}

  /** Runs argv inside the namespace and returns its output (throws on a non-zero exit). */
  exec(argv: readonly string[], opts: { timeoutMs?: number; input?: string | Buffer } = {}): Promise<ExecResult> {
    return run(['ip', 'netns', 'exec', this.name, ...argv], opts);
  }

  ip(...args: string[]): Promise<ExecResult> {
    return run(['ip', '-n', this.name, ...args]);
  }

  /** Starts a long-running process inside the namespace; it is killed by Topology.destroy(). */
  spawn(argv: readonly string[]): ChildProcess {
    return this.topo.track(start(['ip', 'netns', 'exec', this.name, ...argv]));
  }

  async addr(dev: string, cidr: string): Promise<void> {
    assertTestAddress(cidr);
    await this.ip('addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : []));
  }

  async up(dev: string): Promise<void> {
    await this.ip('link', 'set', dev, 'up');
  }

  async mac(dev: string): Promise<string> {
    const { stdout } = await this.ip('-j', 'link', 'show', 'dev', dev);
    const info = JSON.parse(stdout) as Array<{ address: string }>;
    return info[0]?.address ?? '';
  }

  /** Turns off offloads so frame sizes on the wire equal what tcpdump/tshark count. */
  async noOffload(dev: string): Promise<void> {
    await this.exec(['ethtool', '-K', dev, 'tx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off']).catch(() =>
      this.exec(['ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off']),
    );
  }

  async bridge(tag = 'br'): Promise<string> {
    const name = linkName(tag);
    await this.ip('link', 'add', name, 'type', 'bridge');
    await this.ip('link', 'set', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await this.up(name);
    return name;
  }

  async setMaster(dev: string, master: string): Promise<void> {
    await this.ip('link', 'set', dev, 'master', master);
  }

  async promiscuity(dev: string): Promise<number> {
    const { stdout } = await this.ip('-d', '-j', 'link', 'show', 'dev', dev);
    const info = JSON.parse(stdout) as Array<{ promiscuity?: number }>;
    return info[0]?.promiscuity ?? 0;
  }

  /** Sends complete Ethernet frames (hex strings) out of `dev` through an AF_PACKET socket. */
  async sendRaw(
    dev: string,
    framesHex: readonly string[],
    opts: { repeat?: number; gapUs?: number } = {},
  ): Promise<void> {
    await this.exec(['python3', RAWSEND_PY, dev, String(opts.repeat ?? 1), String(opts.gapUs ?? 0)], {
      input: framesHex.join('\n') + '\n',
      timeoutMs: 120_000,
    });
  }
}

export interface VethEnd {
  ns: Netns | null;
  name: string;
}

/** A tap or tun device held open by a process (test/support/tuntap.py). */
export interface HeldTunTap {
  name: string;
  ns: Netns;
  process: ChildProcess;
  /** Writes one frame (tap) or IP packet (tun) into the device, as a guest would send it. */
  write(bytes: Buffer): void;
}

/** Everything one test creates; `destroy()` removes it, in reverse order. */
export class Topology {
  private readonly namespaces: Netns[] = [];
  private readonly rootLinks: string[] = [];
  private readonly children: ChildProcess[] = [];

  track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    child.stdout?.resume();
    child.stderr?.resume();
    return child;
  }

  async netns(tag = ''): Promise<Netns> {
    const name = netnsName(tag);
    await run(['ip', 'netns', 'add', name]);
    const ns = new Netns(name, this);
    this.namespaces.push(ns);
    await ns.up('lo');
    return ns;
  }

  /**
   * A veth pair. Each end goes into the given namespace (null = the root namespace, used for
   * interfaces the collector watches there); both ends are brought up.
   */
  async veth(a: Netns | null, b: Netns | null, tags: [string, string] = ['a', 'b']): Promise<[VethEnd, VethEnd]> {
    const an = linkName(tags[0]);
    const bn = linkName(tags[1]);
    await run(['ip', 'link', 'add', an, 'type', 'veth', 'peer', 'name', bn]);
    this.rootLinks.push(an);
    for (const [name, ns] of [
      [an, a],
      [bn, b],
    ] as const) {
      if (ns) await run(['ip', 'link', 'set', name, 'netns', ns.name]);
      await run(ns ? ['ip', '-n', ns.name, 'link', 'set', name, 'up'] : ['ip', 'link', 'set', name, 'up']);
    }
    return [
      { ns: a, name: an },
      { ns: b, name: bn },
    ];
  }

  /** A link in the root namespace (e.g. a bridge), removed by destroy(). */
  async rootLink(tag: string, ...typeArgs: string[]): Promise<string> {
    const name = linkName(tag);
    await run(['ip', 'link', 'add', name, ...typeArgs]);
    this.rootLinks.push(name);
    await run(['ip', 'link', 'set', name, 'up']);
    return name;
  }

  /**
   * A tap (mode 'tap', Ethernet frames) or tun (mode 'tun', raw IP) device created and held open by
   * a python process inside `ns`, as QEMU holds a guest's tap. Bytes written to its stdin (length
   * prefixed) are injected into the device; the device disappears when the process exits.
   */
  async heldTunTap(ns: Netns, mode: 'tap' | 'tun', tag = mode): Promise<HeldTunTap> {
    const name = linkName(tag);
    const proc = start(['ip', 'netns', 'exec', ns.name, 'python3', TUNTAP_PY, mode, name]);
    this.children.push(proc);
    proc.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        if (buf.includes('ready')) {
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`tuntap.py ${mode} ${name} exited with ${String(code)}`)));
    });
    await ns.up(name);
    return {
      name,
      ns,
      process: proc,
      write(bytes: Buffer): void {
        const hdr = Buffer.alloc(4);
        hdr.writeUInt32BE(bytes.length, 0);
        proc.stdin?.write(Buffer.concat([hdr, bytes]));
      },
    };
  }

  async destroy(): Promise<void> {
    for (const child of this.children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await waitExit(child, 3000);
      }
    }
    this.children.length = 0;
    for (const ns of this.namespaces.reverse()) {
      // Processes still inside (started by this test) would keep the namespace alive.
      const pids = await tryRun(['ip', 'netns', 'pids', ns.name]);
      for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await tryRun(['ip', 'netns', 'del', ns.name]);
    }
    this.namespaces.length = 0;
    for (const l of this.rootLinks.reverse()) await tryRun(['ip', 'link', 'del', l]);
    this.rootLinks.length = 0;
  }
}
