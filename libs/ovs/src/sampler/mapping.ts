/**
 * OVS port → bridge, ofport, type, and the VM or container named by the interface's external_ids
 * (`vm-uuid` from OpenStack/Nova, `vm-id` from libvirt, `container_id` from ovs-docker, `iface-id`,
 * `attached-mac`), built from the OVSDB view; and its join with the host inventory by interface name.
 */
import { asArray, asBigint, asMap, asString, type OvsdbRow } from '../ovsdb/datum.js';

export type OwnerKind = 'vm' | 'container' | 'iface' | '';

export interface PortMapping {
  bridge: string;
  /** `netdev`, `system` ('' in OVSDB means system). */
  datapath_type: string;
  port: string;
  interface: string;
  /** OpenFlow port number; null until vswitchd assigns one, -1 when it failed. */
  ofport: number | null;
  /** Interface type: '' (system device), internal, tap, patch, vxlan, dpdk… */
  type: string;
  owner_kind: OwnerKind;
  /** The VM uuid/id, container id or iface-id, whichever is most specific. */
  owner_id: string;
  vm_uuid: string;
  vm_id: string;
  container_id: string;
  iface_id: string;
  attached_mac: string;
  mac_in_use: string;
  link_state: string;
  external_ids: Record<string, string>;
}

type View = ReadonlyMap<string, ReadonlyMap<string, OvsdbRow>>;

function ids(row: OvsdbRow | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of asMap(row?.external_ids)) out[k] = String(v);
  return out;
}

export function ownerOf(ext: Record<string, string>): { kind: OwnerKind; id: string } {
  if (ext['vm-uuid']) return { kind: 'vm', id: ext['vm-uuid'] };
  if (ext['vm-id']) return { kind: 'vm', id: ext['vm-id'] };
  if (ext.container_id) return { kind: 'container', id: ext.container_id };
  if (ext['iface-id']) return { kind: 'iface', id: ext['iface-id'] };
  return { kind: '', id: '' };
}

export function buildPortMapping(view: View): PortMapping[] {
  const bridges = view.get('Bridge') ?? new Map<string, OvsdbRow>();
  const ports = view.get('Port') ?? new Map<string, OvsdbRow>();
  const ifaces = view.get('Interface') ?? new Map<string, OvsdbRow>();
  const out: PortMapping[] = [];
  for (const br of bridges.values()) {
    const bridge = asString(br.name) ?? '';
    const dpType = asString(br.datapath_type) || 'system';
    for (const pu of asArray(br.ports)) {
      const port = ports.get(String(pu));
      if (!port) continue;
      for (const iu of asArray(port.interfaces)) {
        const iface = ifaces.get(String(iu));
        if (!iface) continue;
        const ext = ids(iface);
        const owner = ownerOf(ext);
        const ofport = asBigint(iface.ofport);
        out.push({
          bridge,
          datapath_type: dpType,
          port: asString(port.name) ?? '',
          interface: asString(iface.name) ?? '',
          ofport: ofport === undefined ? null : Number(ofport),
          type: asString(iface.type) ?? '',
          owner_kind: owner.kind,
          owner_id: owner.id,
          vm_uuid: ext['vm-uuid'] ?? '',
          vm_id: ext['vm-id'] ?? '',
          container_id: ext.container_id ?? '',
          iface_id: ext['iface-id'] ?? '',
          attached_mac: ext['attached-mac'] ?? '',
          mac_in_use: asString(iface.mac_in_use) ?? '',
          link_state: asString(iface.link_state) ?? '',
          external_ids: ext,
        });
      }
    }
  }
  out.sort(
    (a, b) =>
      a.bridge.localeCompare(b.bridge) ||
      (a.ofport ?? 1e9) - (b.ofport ?? 1e9) ||
      a.interface.localeCompare(b.interface),
  );
  return out;
}

/** Interface statistics (cumulative counters) by interface name, from the OVSDB view. */
export function interfaceStatistics(
  view: View,
  updatedMs: ReadonlyMap<string, number> = new Map(),
): Map<string, { ofport: number | null; stats: Map<string, bigint>; updated_ms: number | null }> {
  const out = new Map<string, { ofport: number | null; stats: Map<string, bigint>; updated_ms: number | null }>();
  for (const row of (view.get('Interface') ?? new Map<string, OvsdbRow>()).values()) {
    const name = asString(row.name);
    if (!name) continue;
    const stats = new Map<string, bigint>();
    for (const [k, v] of asMap(row.statistics)) if (typeof v === 'bigint') stats.set(k, v);
    const ofport = asBigint(row.ofport);
    out.set(name, {
      ofport: ofport === undefined ? null : Number(ofport),
      stats,
      updated_ms: updatedMs.get(name) ?? null,
    });
  }
  return out;
}

/** Whether two statistics maps hold the same counters. */
export function sameStatistics(a: OvsdbRow['statistics'], b: OvsdbRow['statistics']): boolean {
  const x = asMap(a);
  const y = asMap(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}

/** An inventory entry as the host inventory lists it; only the name is needed for the join. */
export interface InventoryEntryLike {
  name: string;
}

/** Joins ports with the host inventory by interface name; `inventory` is null for ports the host does not list (e.g. DPDK). */
export function joinInventory<T extends InventoryEntryLike>(
  mapping: readonly PortMapping[],
  inventory: readonly T[],
): Array<PortMapping & { inventory: T | null }> {
  const byName = new Map(inventory.map((e) => [e.name, e]));
  return mapping.map((m) => ({ ...m, inventory: byName.get(m.interface) ?? null }));
}
