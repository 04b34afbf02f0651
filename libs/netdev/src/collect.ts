/**
 * Collects the inventory of one network namespace: `ip -d -s -j link` (kinds, masters, veth peers,
 * counters), sysfs (bus devices, drivers, PCI ids), /proc (tap/tun owners via fdinfo `iff:`,
 * QEMU command lines, interrupts), libvirt domain XML and OVSDB (OVS bridges and their ports).
 * See docs/decisions/0100-netdev-polling.md for why this polls instead of listening to rtnetlink.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  fromIpLink,
  interruptsFor,
  looksLikeQemu,
  parseFdinfoIff,
  parseInterrupts,
  parseLibvirtDomain,
  parseNetnsIds,
  vmNameFromCmdline,
  type IpLinkEntry,
} from './parse.js';
import type { ListOptions, NetDriver, NetInterface, NetOwner } from './types.js';

export class NetdevError extends Error {
  override name = 'NetdevError';
}

function exec(argv: readonly string[], timeoutMs = 10_000): Promise<string> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(file!, args, { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new NetdevError(`${argv.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

const NETNS_NAME = /^[A-Za-z0-9_.-]+$/;

function ipArgs(netns: string | undefined): string[] {
  return netns ? ['ip', '-n', netns] : ['ip'];
}

async function ipLinks(netns: string | undefined): Promise<IpLinkEntry[]> {
  const out = await exec([...ipArgs(netns), '-d', '-s', '-j', 'link', 'show']);
  return JSON.parse(out || '[]') as IpLinkEntry[];
}

/** Virtual devices: the driver name ethtool -i reports for them. */
const VIRTUAL_DRIVER: Record<string, string> = {
  veth: 'veth',
  tun: 'tun',
  bridge: 'bridge',
  openvswitch: 'openvswitch',
  macvlan: 'macvlan',
  macvtap: 'macvtap',
  ipvlan: 'ipvlan',
  vxlan: 'vxlan',
  geneve: 'geneve',
  dummy: 'dummy',
  ifb: 'ifb',
  bond: 'bonding',
  vlan: '802.1Q VLAN Support',
  gre: 'ip_gre',
  gretap: 'ip_gre',
};

interface BusDevice {
  /** realpath of /sys/class/net/X/device */
  path: string;
  driver?: string;
}

/** /sys/class/net/<X>/device of every interface with a bus device, in this namespace or another one. */
async function busDevices(netns: string | undefined): Promise<Map<string, BusDevice>> {
  const m = new Map<string, BusDevice>();
  if (!netns) {
    let names: string[];
    try {
      names = readdirSync('/sys/class/net');
    } catch {
      return m;
    }
    for (const n of names) {
      const dev = join('/sys/class/net', n, 'device');
      if (!existsSync(dev)) continue;
      let driver: string | undefined;
      try {
        driver = basename(readlinkSync(join(dev, 'driver')));
      } catch {
        /* no driver bound */
      }
      m.set(n, { path: realpathSync(dev), driver });
    }
    return m;
  }
  // Another namespace: its /sys/class/net is only visible from inside (ip netns exec remounts /sys).
  const script =
    'for d in /sys/class/net/*; do [ -e "$d/device" ] && echo "${d##*/} $(readlink -f "$d/device") $(basename "$(readlink -f "$d/device/driver")" 2>/dev/null)"; done; true';
  const out = await exec(['ip', 'netns', 'exec', netns, 'sh', '-c', script]).catch(() => '');
  for (const line of out.split('\n')) {
    const [n, path, driver] = line.trim().split(' ');
    if (n && path) m.set(n, { path, driver: driver || undefined });
  }
  return m;
}

const PCI_ADDR = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

function readTrim(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function driverOf(bus: BusDevice): NetDriver {
  const d: NetDriver = { name: bus.driver ?? '' };
  // The PCI function the device sits on (virtio NICs: the parent of virtioN).
  for (let p = bus.path; p !== '/' && p.startsWith('/sys/devices'); p = dirname(p)) {
    if (PCI_ADDR.test(basename(p))) {
      d.busInfo = basename(p);
      d.pciVendor = readTrim(join(p, 'vendor'));
      d.pciDevice = readTrim(join(p, 'device'));
      break;
    }
  }
  if (!d.busInfo) d.busInfo = basename(bus.path);
  if (bus.driver) {
    const v = readTrim(join('/sys/module', bus.driver, 'version'));
    if (v) d.version = v;
  }
  return d;
}

function nsInode(netns: string | undefined): number | undefined {
  try {
    return statSync(netns ? join('/run/netns', netns) : '/proc/self/ns/net').ino;
  } catch {
    return undefined;
  }
}

interface TunHolder {
  pid: number;
  command: string;
  argv: string[];
  nsIno: number | undefined;
}

/** Every process holding /dev/net/tun, with the device names from fdinfo `iff:`. */
export function scanTunOwners(procRoot = '/proc'): Map<string, TunHolder[]> {
  const byName = new Map<string, TunHolder[]>();
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((p) => /^\d+$/.test(p));
  } catch {
    return byName;
  }
  for (const pid of pids) {
    const fdDir = join(procRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue; // gone, or not ours to read
    }
    let holder: TunHolder | undefined;
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      if (target !== '/dev/net/tun') continue;
      const iff = parseFdinfoIff(readTrim(join(procRoot, pid, 'fdinfo', fd)) ?? '');
      if (!iff) continue;
      if (!holder) {
        const argv = (readTrim(join(procRoot, pid, 'cmdline')) ?? '').split('\0').filter(Boolean);
        let ino: number | undefined;
        try {
          ino = statSync(join(procRoot, pid, 'ns', 'net')).ino;
        } catch {
          ino = undefined;
        }
        holder = { pid: Number(pid), command: readTrim(join(procRoot, pid, 'comm')) ?? '', argv, nsIno: ino };
      }
      const list = byName.get(iff) ?? [];
      if (!list.some((h) => h.pid === holder!.pid)) list.push(holder);
      byName.set(iff, list);
    }
  }
  return byName;
}

/** libvirt domain XML folders → host device name → domain name. */
export function libvirtDevices(dirs: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    } catch {
      continue;
    }
    for (const f of files) {
      const dom = parseLibvirtDomain(readTrim(join(dir, f)) ?? '');
      if (!dom) continue;
      for (const d of dom.devices) if (!m.has(d)) m.set(d, dom.name);
    }
  }
  return m;
}

/** OVS bridge of every interface OVSDB knows (bridge's own internal port included). */
async function ovsPortMap(db: string | false | undefined, netns: string | undefined): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  let target = db;
  if (target === false) return m;
  if (target === undefined) {
    const def = ['/run/openvswitch/db.sock', '/var/run/openvswitch/db.sock'].find((p) => existsSync(p));
    if (!def) return m;
    target = def;
  }
  const dbArg = target.includes(':') ? target : `unix:${target}`;
  const pre = netns ? ['ip', 'netns', 'exec', netns] : [];
  const vsctl = (...a: string[]): Promise<string> => exec([...pre, 'ovs-vsctl', `--db=${dbArg}`, '--timeout=5', ...a]);
  const bridges = (await vsctl('list-br').catch(() => '')).split('\n').filter(Boolean);
  for (const br of bridges) {
    m.set(br, br);
    const ifaces = (await vsctl('list-ifaces', br).catch(() => '')).split('\n').filter(Boolean);
    for (const i of ifaces) m.set(i, br);
  }
  return m;
}

/** The interfaces of a namespace ('' / undefined = the caller's own), with everything the inventory knows. */
export async function listInterfaces(opts: ListOptions = {}): Promise<NetInterface[]> {
  const netns = opts.netns || undefined;
  if (netns && !NETNS_NAME.test(netns)) throw new NetdevError(`bad namespace name "${netns}"`);
  if (netns && !existsSync(join('/run/netns', netns)))
    throw new NetdevError(`no network namespace "${netns}" (see ip netns list)`);
  const [entries, bus, nsIds, ovs] = await Promise.all([
    ipLinks(netns),
    busDevices(netns),
    exec([...ipArgs(netns), '-j', 'netns', 'list-id'])
      .then(parseNetnsIds)
      .catch(() => new Map<number, string>()),
    opts.ovsPorts ? Promise.resolve(new Map(opts.ovsPorts)) : ovsPortMap(opts.ovsDb, netns),
  ]);
  const label = netns ?? '';
  const list = entries.map((e) => fromIpLink(e, label, bus.has(e.ifname)));
  const byIndex = new Map(list.map((i) => [i.ifindex, i]));
  const byName = new Map(list.map((i) => [i.name, i]));

  // Drivers, bus ids, interrupts.
  const irqRows = parseInterrupts(readTrim('/proc/interrupts') ?? '');
  for (const itf of list) {
    const b = bus.get(itf.name);
    if (b) {
      itf.driver = driverOf(b);
      const irqs = interruptsFor(
        irqRows,
        itf.name,
        basename(b.path),
        itf.driver.busInfo && PCI_ADDR.test(itf.driver.busInfo) ? itf.driver.busInfo : undefined,
      );
      if (irqs.length > 0) itf.interrupts = irqs;
    } else {
      const drv = VIRTUAL_DRIVER[itf.linkKind];
      if (drv) itf.driver = { name: drv, busInfo: '' };
    }
  }

  // veth peers, also across namespaces.
  const peerNsLinks = new Map<string, Promise<IpLinkEntry[]>>();
  for (const itf of list) {
    if (!itf.peer) continue;
    if (itf.peer.netnsId === undefined) {
      itf.peer.name = byIndex.get(itf.peer.ifindex)?.name;
      continue;
    }
    const peerNs = nsIds.get(itf.peer.netnsId);
    if (!peerNs) continue;
    itf.peer.netns = peerNs;
    if (!peerNsLinks.has(peerNs))
      peerNsLinks.set(
        peerNs,
        ipLinks(peerNs).catch(() => []),
      );
    const links = await peerNsLinks.get(peerNs)!;
    itf.peer.name = links.find((l) => l.ifindex === itf.peer!.ifindex)?.ifname;
  }

  // tap/tun owners (fdinfo iff:, in this namespace), QEMU guest names, libvirt domains.
  const ino = nsInode(netns);
  const holders = scanTunOwners();
  const libvirt = libvirtDevices(opts.libvirtDirs ?? ['/run/libvirt/qemu', '/etc/libvirt/qemu']);
  for (const itf of list) {
    if (itf.linkKind === 'tun') {
      const hs = (holders.get(itf.name) ?? []).filter(
        (h) => ino === undefined || h.nsIno === undefined || h.nsIno === ino,
      );
      itf.owners = hs.map((h): NetOwner => {
        const o: NetOwner = { pid: h.pid, command: h.command };
        const vm = looksLikeQemu(h.command, h.argv[0]) ? vmNameFromCmdline(h.argv) : undefined;
        if (vm) o.vmName = vm;
        return o;
      });
      const vm = itf.owners.find((o) => o.vmName)?.vmName ?? libvirt.get(itf.name);
      if (vm) itf.vmName = vm;
      // OVS userspace datapath: its internal ports and ovs-netdev are taps held by ovs-vswitchd.
      if (itf.owners.some((o) => o.command === 'ovs-vswitchd')) itf.kind = 'openvswitch';
    } else {
      const vm = libvirt.get(itf.name);
      if (vm) itf.vmName = vm;
    }
  }

  // OVS: bridges and ports from OVSDB (userspace datapath ports have no kernel master).
  for (const [ifname, br] of ovs) {
    const itf = byName.get(ifname);
    if (!itf) continue;
    if (ifname === br) {
      itf.kind = 'openvswitch';
      itf.details = { ...(itf.details ?? {}), ovsBridge: br, ovsInternal: true };
      itf.ports = [...ovs].filter(([n, b]) => b === br && n !== br).map(([n]) => n);
    } else if (!itf.master || itf.master.kind === 'openvswitch') {
      itf.master = { name: itf.master?.name ?? br, kind: 'openvswitch', ovsBridge: br };
    }
  }

  // Linux bridges (and bonds): their ports.
  for (const itf of list) {
    if (itf.kind !== 'bridge' && itf.kind !== 'bond') continue;
    itf.ports = list.filter((p) => p.master?.name === itf.name).map((p) => p.name);
  }
  return list;
}
