/** The inventory as a readable tree: bridges with their ports, veth peers, taps with their owners. */
import type { NetInterface } from './types.js';

function human(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)}${units[u]}`;
}

export function describeInterface(i: NetInterface): string {
  const parts: string[] = [i.name, `[${i.kind}]`];
  if (i.mac && i.kind !== 'tun' && i.kind !== 'loopback') parts.push(i.mac);
  parts.push(i.operstate.toLowerCase(), `mtu ${i.mtu}`);
  if (i.promiscuity > 0) parts.push(`promisc ${i.promiscuity}`);
  if (i.peer) {
    const where = i.peer.netns ? `@${i.peer.netns}` : i.peer.netnsId !== undefined ? `@nsid ${i.peer.netnsId}` : '';
    parts.push(`peer ${i.peer.name ?? `ifindex ${i.peer.ifindex}`}${where}`);
  }
  if (i.master && i.master.kind === 'openvswitch' && i.master.name !== i.master.ovsBridge && i.master.ovsBridge)
    parts.push(`ovs ${i.master.ovsBridge}`);
  if (i.owners && i.owners.length > 0)
    parts.push(`held by ${i.owners.map((o) => `${o.command}(${o.pid})`).join(', ')}`);
  else if (i.linkKind === 'tun') parts.push('not held');
  if (i.vmName) parts.push(`vm "${i.vmName}"`);
  if (i.driver?.name) {
    let d = `driver ${i.driver.name}`;
    if (i.driver.busInfo) d += ` ${i.driver.busInfo}`;
    if (i.driver.pciVendor && i.driver.pciDevice)
      d += ` [${i.driver.pciVendor.replace(/^0x/, '')}:${i.driver.pciDevice.replace(/^0x/, '')}]`;
    parts.push(d);
  }
  if (i.details?.id !== undefined && (i.kind === 'vlan' || i.kind === 'vxlan'))
    parts.push(`id ${String(i.details.id)}`);
  if (i.interrupts && i.interrupts.length > 0)
    parts.push(`irqs ${i.interrupts.map((q) => q.irq).join(',')} (${i.interrupts.reduce((a, q) => a + q.total, 0)})`);
  const c = i.counters;
  parts.push(`rx ${c.rxPackets}/${human(c.rxBytes)} tx ${c.txPackets}/${human(c.txBytes)}`);
  if (c.rxDropped + c.txDropped + c.rxErrors + c.txErrors > 0)
    parts.push(`drop ${c.rxDropped}/${c.txDropped} err ${c.rxErrors}/${c.txErrors}`);
  return parts.join('  ');
}

/** Bridges (Linux and OVS) and bonds with their ports nested under them; everything else at the top. */
export function formatTree(list: readonly NetInterface[], header?: string): string {
  const names = new Set(list.map((i) => i.name));
  const children = new Map<string, NetInterface[]>();
  const parentOf = (i: NetInterface): string | undefined => {
    if (!i.master) return undefined;
    const p = i.master.ovsBridge ?? i.master.name;
    return names.has(p) && p !== i.name ? p : undefined;
  };
  for (const i of list) {
    const p = parentOf(i);
    if (!p) continue;
    const arr = children.get(p) ?? [];
    arr.push(i);
    children.set(p, arr);
  }
  const lines: string[] = [];
  if (header) lines.push(header);
  const seen = new Set<string>();
  const walk = (i: NetInterface, prefix: string, last: boolean, top: boolean): void => {
    if (seen.has(i.name)) return;
    seen.add(i.name);
    lines.push(top ? describeInterface(i) : `${prefix}${last ? '└─ ' : '├─ '}${describeInterface(i)}`);
    const kids = children.get(i.name) ?? [];
    const next = top ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((k, idx) => walk(k, next, idx === kids.length - 1, false));
  };
  for (const i of list) if (!parentOf(i)) walk(i, '', true, true);
  for (const i of list) if (!seen.has(i.name)) walk(i, '', true, true); // cycles, just in case
  return lines.join('\n');
}
