/** Pure parsers for the inventory: `ip -d -s -j link` JSON, /proc/interrupts, fdinfo, QEMU and libvirt. */
import type { NetCounters, NetInterface, NetInterrupt, NetKind } from './types.js';

/** The fields of one `ip -d -s -j link show` entry that the inventory reads. */
export interface IpLinkEntry {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  promiscuity?: number;
  master?: string;
  link_index?: number;
  link_netnsid?: number;
  link?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
  stats64?: {
    rx?: Record<string, number>;
    tx?: Record<string, number>;
  };
}

const KIND_BY_INFO: Record<string, NetKind> = {
  veth: 'veth',
  bridge: 'bridge',
  vlan: 'vlan',
  vxlan: 'vxlan',
  gre: 'gre',
  gretap: 'gre',
  ip6gre: 'gre',
  ip6gretap: 'gre',
  erspan: 'gre',
  geneve: 'geneve',
  macvlan: 'macvlan',
  macvtap: 'macvtap',
  ipvlan: 'ipvlan',
  bond: 'bond',
  dummy: 'dummy',
  ifb: 'ifb',
  openvswitch: 'openvswitch',
};

/**
 * The kind of an interface from what the kernel says. `hasDevice`: /sys/class/net/X/device exists
 * (a real bus device: physical NIC). tun devices are tap or tun by their info_data.type.
 */
export function classify(e: IpLinkEntry, hasDevice: boolean): NetKind {
  const k = e.linkinfo?.info_kind ?? '';
  if (e.link_type === 'loopback') return 'loopback';
  if (k === 'tun') {
    const t = e.linkinfo?.info_data?.type;
    if (t === 'tap' || t === 'tun') return t;
    return e.link_type === 'none' ? 'tun' : 'tap';
  }
  if (k) return KIND_BY_INFO[k] ?? 'other';
  if (hasDevice) return 'physical';
  return e.link_type === 'none' ? 'tun' : 'other';
}

export function counters(e: IpLinkEntry): NetCounters {
  const rx = e.stats64?.rx ?? {};
  const tx = e.stats64?.tx ?? {};
  return {
    rxPackets: rx.packets ?? 0,
    rxBytes: rx.bytes ?? 0,
    rxErrors: rx.errors ?? 0,
    rxDropped: rx.dropped ?? 0,
    rxMulticast: rx.multicast ?? 0,
    txPackets: tx.packets ?? 0,
    txBytes: tx.bytes ?? 0,
    txErrors: tx.errors ?? 0,
    txDropped: tx.dropped ?? 0,
  };
}

/** Kind-specific details worth showing (vlan id, vxlan vni/remote, macvlan mode, tun flags). */
export function details(e: IpLinkEntry): Record<string, string | number | boolean> | undefined {
  const d = e.linkinfo?.info_data;
  if (!d) return undefined;
  const out: Record<string, string | number | boolean> = {};
  const keep = [
    'id',
    'protocol',
    'remote',
    'local',
    'port',
    'mode',
    'type',
    'pi',
    'vnet_hdr',
    'multi_queue',
    'persist',
    'user',
    'group',
    'stp_state',
    'vlan_filtering',
  ];
  for (const k of keep) {
    const v = d[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One NetInterface from an `ip -d -s -j link` entry (master/peer/owners/driver are filled by the collector). */
export function fromIpLink(e: IpLinkEntry, netns: string, hasDevice: boolean): NetInterface {
  const kind = classify(e, hasDevice);
  const itf: NetInterface = {
    name: e.ifname,
    ifindex: e.ifindex,
    netns,
    kind,
    linkKind: e.linkinfo?.info_kind ?? '',
    mac: e.address ?? '',
    mtu: e.mtu ?? 0,
    operstate: e.operstate ?? 'UNKNOWN',
    flags: e.flags ?? [],
    promiscuity: e.promiscuity ?? 0,
    counters: counters(e),
  };
  const det = details(e);
  if (det) itf.details = det;
  if (e.master) itf.master = { name: e.master, kind: e.linkinfo?.info_slave_kind ?? '' };
  if (kind === 'veth' && e.link_index !== undefined) {
    itf.peer = { ifindex: e.link_index };
    if (e.link_netnsid !== undefined) itf.peer.netnsId = e.link_netnsid;
  }
  return itf;
}

/**
 * /proc/interrupts → rows. Each row: irq, per-CPU counts, then chip/type text and the action
 * names (the last field).
 */
export function parseInterrupts(text: string): Array<{ irq: string; perCpu: number[]; chip: string; name: string }> {
  const lines = text.split('\n');
  const cpus = (lines[0] ?? '')
    .trim()
    .split(/\s+/)
    .filter((c) => c.startsWith('CPU')).length;
  const rows: Array<{ irq: string; perCpu: number[]; chip: string; name: string }> = [];
  for (const line of lines.slice(1)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const parts = m[2]!.trim().split(/\s+/);
    const perCpu: number[] = [];
    let i = 0;
    for (; i < cpus && i < parts.length && /^\d+$/.test(parts[i]!); i++) perCpu.push(Number(parts[i]));
    const rest = parts.slice(i);
    // Named IRQs: chip, hwirq-type, then the action names (comma separated, may hold spaces).
    const name = rest.length >= 3 ? rest.slice(2).join(' ') : (rest[rest.length - 1] ?? '');
    rows.push({ irq: m[1]!, perCpu, chip: rest.slice(0, 2).join(' '), name });
  }
  return rows;
}

/** The interrupt lines of one NIC: by its name, its bus device (virtio2-…) or its PCI address in the chip column. */
export function interruptsFor(
  rows: ReturnType<typeof parseInterrupts>,
  ifname: string,
  busDevice: string | undefined,
  pciAddress: string | undefined,
): NetInterrupt[] {
  const names = [ifname, busDevice].filter((n): n is string => !!n);
  const re = new RegExp(
    `(^|[\\s,])(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})($|[-_.:@\\s,])`,
  );
  const out: NetInterrupt[] = [];
  for (const r of rows) {
    const byName = names.length > 0 && re.test(r.name);
    const byPci = !!pciAddress && r.chip.includes(pciAddress);
    if (!byName && !byPci) continue;
    out.push({ irq: r.irq, name: r.name, perCpu: r.perCpu, total: r.perCpu.reduce((a, b) => a + b, 0) });
  }
  return out;
}

/** The device name of a tun/tap file descriptor from /proc/PID/fdinfo/FD (`iff:\tNAME`). */
export function parseFdinfoIff(text: string): string | undefined {
  const m = /^iff:\s*(\S+)\s*$/m.exec(text);
  return m?.[1];
}

/** The guest name from a QEMU command line: `-name guest=X,debug-threads=on` or `-name X`. */
export function vmNameFromCmdline(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i] !== '-name' && argv[i] !== '--name') continue;
    const v = argv[i + 1]!;
    // Comma-separated options, ",," escapes a comma inside a value.
    const parts = v
      .replace(/,,/g, '\ue000')
      .split(',')
      .map((p) => p.replace(/\ue000/g, ','));
    for (const p of parts) if (p.startsWith('guest=')) return p.slice(6);
    const first = parts[0] ?? '';
    if (first && !first.includes('=')) return first;
  }
  return undefined;
}

export function looksLikeQemu(command: string, argv0: string | undefined): boolean {
  return /qemu/i.test(command) || /qemu/i.test(argv0 ?? '');
}

/** libvirt domain XML → domain name and the host-side device names of its interfaces (<target dev='vnet0'/>). */
export function parseLibvirtDomain(xml: string): { name: string; devices: string[] } | undefined {
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1]?.trim();
  if (!name) return undefined;
  const devices: string[] = [];
  const ifaceRe = /<interface\b[\s\S]*?<\/interface>/g;
  for (const block of xml.match(ifaceRe) ?? []) {
    const dev = /<target\s+dev=['"]([^'"]+)['"]/.exec(block)?.[1];
    if (dev) devices.push(dev);
  }
  return { name, devices };
}

/** `ip -j netns list-id` → nsid → name. */
export function parseNetnsIds(json: string): Map<number, string> {
  const m = new Map<number, string>();
  try {
    const arr = JSON.parse(json || '[]') as Array<{ nsid?: number; name?: string }>;
    for (const e of arr) if (typeof e.nsid === 'number' && e.name) m.set(e.nsid, e.name);
  } catch {
    /* old iproute2 without JSON: no names */
  }
  return m;
}
