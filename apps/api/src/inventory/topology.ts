/** Builds the topology tree (bridges → ports → veth peers / taps → VMs, OVS bridges → ports → VMs) from inventory rows. */
export interface InventoryRow {
  collector: string;
  name: string;
  kind: string;
  master: string;
  peer: string;
  netns: string;
  vm: string;
  ovsBridge: string;
}

export interface PortNode {
  name: string;
  kind: string;
  peer?: string;
  netns?: string;
  vm?: string;
}

export interface BridgeNode {
  name: string;
  type: 'linux' | 'ovs';
  ports: PortNode[];
}

export interface HostTopology {
  collector: string;
  bridges: BridgeNode[];
  /** Interfaces on no bridge (physical NICs, lone veths, taps…). */
  standalone: PortNode[];
}

function port(r: InventoryRow): PortNode {
  const p: PortNode = { name: r.name, kind: r.kind };
  if (r.peer) p.peer = r.peer;
  if (r.netns) p.netns = r.netns;
  if (r.vm) p.vm = r.vm;
  return p;
}

export function buildTopology(rows: readonly InventoryRow[]): HostTopology[] {
  const hosts = new Map<string, InventoryRow[]>();
  for (const r of rows) {
    const list = hosts.get(r.collector) ?? [];
    list.push(r);
    hosts.set(r.collector, list);
  }
  const out: HostTopology[] = [];
  for (const [collector, list] of [...hosts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const bridges = new Map<string, BridgeNode>();
    for (const r of list)
      if (r.kind === 'bridge') bridges.set(`linux:${r.name}`, { name: r.name, type: 'linux', ports: [] });
    const standalone: PortNode[] = [];
    for (const r of list) {
      if (r.kind === 'bridge') continue;
      if (r.ovsBridge) {
        const key = `ovs:${r.ovsBridge}`;
        let b = bridges.get(key);
        if (!b) bridges.set(key, (b = { name: r.ovsBridge, type: 'ovs', ports: [] }));
        if (r.name !== r.ovsBridge) b.ports.push(port(r));
      } else if (r.master && bridges.has(`linux:${r.master}`)) bridges.get(`linux:${r.master}`)!.ports.push(port(r));
      else standalone.push(port(r));
    }
    const sorted = [...bridges.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const b of sorted) b.ports.sort((a, c) => a.name.localeCompare(c.name));
    out.push({ collector, bridges: sorted, standalone: standalone.sort((a, b) => a.name.localeCompare(b.name)) });
  }
  return out;
}
