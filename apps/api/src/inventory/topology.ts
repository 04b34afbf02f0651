/** Builds the topology tree (bridges → ports → veth peers / taps → VMs, OVS bridges → ports → VMs) from inventory rows. */
export interface InventoryRow {
  collector: string;
  netns: string;
  name: string;
  kind: string;
  master: string;
  peer: string;
  peerNetns: string;
  ovsBridge: string;
  /** VM / container / process holding the device. */
  owner: string;
}

export interface PortNode {
  name: string;
  kind: string;
  netns?: string;
  peer?: string;
  peerNetns?: string;
  owner?: string;
}

export interface BridgeNode {
  name: string;
  netns?: string;
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
  if (r.netns) p.netns = r.netns;
  if (r.peer) p.peer = r.peer;
  if (r.peerNetns) p.peerNetns = r.peerNetns;
  if (r.owner) p.owner = r.owner;
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
    for (const r of list) {
      if (r.kind !== 'bridge') continue;
      bridges.set(`linux:${r.netns}/${r.name}`, {
        name: r.name,
        ...(r.netns ? { netns: r.netns } : {}),
        type: 'linux',
        ports: [],
      });
    }
    const standalone: PortNode[] = [];
    for (const r of list) {
      if (r.kind === 'bridge') continue;
      const linux = r.master ? bridges.get(`linux:${r.netns}/${r.master}`) : undefined;
      if (r.ovsBridge) {
        const key = `ovs:${r.ovsBridge}`;
        let b = bridges.get(key);
        if (!b) bridges.set(key, (b = { name: r.ovsBridge, type: 'ovs', ports: [] }));
        // The bridge's own internal interface is the bridge, not one of its ports.
        if (r.name !== r.ovsBridge) b.ports.push(port(r));
      } else if (linux) linux.ports.push(port(r));
      else standalone.push(port(r));
    }
    const sorted = [...bridges.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const b of sorted) b.ports.sort((a, c) => a.name.localeCompare(c.name));
    out.push({ collector, bridges: sorted, standalone: standalone.sort((a, b) => a.name.localeCompare(b.name)) });
  }
  return out;
}
