/** libs/netdev: the inventory of network devices (kinds, masters, veth peers, tap/tun owners, drivers, counters). */
export * from './types.js';
export { listInterfaces, scanTunOwners, libvirtDevices, NetdevError } from './collect.js';
export {
  InterfaceWatcher,
  diffInventory,
  shapeOf,
  MIN_WATCH_INTERVAL_MS,
  type InventoryChange,
  type WatchOptions,
} from './watch.js';
export { formatTree, describeInterface } from './format.js';
export {
  classify,
  fromIpLink,
  parseInterrupts,
  interruptsFor,
  parseFdinfoIff,
  vmNameFromCmdline,
  parseLibvirtDomain,
  parseNetnsIds,
  type IpLinkEntry,
} from './parse.js';
