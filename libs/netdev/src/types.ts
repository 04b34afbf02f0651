/** The inventory of network devices: one record per interface of a network namespace. */

export type NetKind =
  | 'physical'
  | 'loopback'
  | 'bridge'
  | 'veth'
  | 'tap'
  | 'tun'
  | 'vlan'
  | 'vxlan'
  | 'gre'
  | 'geneve'
  | 'macvlan'
  | 'macvtap'
  | 'ipvlan'
  | 'bond'
  | 'dummy'
  | 'ifb'
  | 'openvswitch'
  | 'other';

export interface NetCounters {
  rxPackets: number;
  rxBytes: number;
  rxErrors: number;
  rxDropped: number;
  rxMulticast: number;
  txPackets: number;
  txBytes: number;
  txErrors: number;
  txDropped: number;
}

export interface NetMaster {
  name: string;
  /** bridge (Linux bridge), openvswitch (kernel OVS: master ovs-system; or an OVSDB port of a userspace bridge), bond… */
  kind: string;
  /** For OVS: the OVS bridge the port belongs to (from OVSDB), when known. */
  ovsBridge?: string;
}

export interface NetPeer {
  ifindex: number;
  /** The peer's name, when its namespace could be looked into. */
  name?: string;
  /** The peer's namespace name (from `ip netns`), when it lives in another one. */
  netns?: string;
  /** The kernel's id of the peer's namespace, as seen from this one. */
  netnsId?: number;
}

export interface NetOwner {
  pid: number;
  command: string;
  /** QEMU guest name, from `-name guest=X` / `-name X` or the libvirt domain XML. */
  vmName?: string;
}

export interface NetDriver {
  name: string;
  version?: string;
  /** PCI address (0000:00:03.0) or another bus id; empty for virtual devices. */
  busInfo?: string;
  pciVendor?: string;
  pciDevice?: string;
}

export interface NetInterrupt {
  irq: string;
  /** The action name(s) column, e.g. virtio2-input.0. */
  name: string;
  total: number;
  perCpu: number[];
}

export interface NetInterface {
  name: string;
  ifindex: number;
  /** Namespace name as given to listInterfaces ('' = the caller's own). */
  netns: string;
  kind: NetKind;
  /** The kernel's link kind as reported (info_kind), e.g. veth, tun, bridge; '' for physical. */
  linkKind: string;
  mac: string;
  mtu: number;
  operstate: string;
  flags: string[];
  promiscuity: number;
  master?: NetMaster;
  /** For bridges (Linux or OVS): their ports' names. */
  ports?: string[];
  peer?: NetPeer;
  /** tap/tun: processes holding the device open. */
  owners?: NetOwner[];
  /** The VM this device belongs to (QEMU -name, or a libvirt domain naming it as a target dev). */
  vmName?: string;
  driver?: NetDriver;
  interrupts?: NetInterrupt[];
  counters: NetCounters;
  /** Details of some kinds: vlan id, vxlan id/remote, macvlan mode, tun flags. */
  details?: Record<string, string | number | boolean>;
}

export interface ListOptions {
  /** A named network namespace (`ip netns`); default: the caller's own. */
  netns?: string;
  /**
   * OVSDB socket to learn OVS bridges and ports from (`unix:/path/db.sock` or a path); default:
   * /run/openvswitch/db.sock when it exists; false: do not ask OVS.
   */
  ovsDb?: string | false;
  /** Interface name → OVS bridge, when the caller already knows it (libs/ovs); skips asking OVSDB. */
  ovsPorts?: ReadonlyMap<string, string>;
  /** Folders with libvirt domain XML files; default /run/libvirt/qemu and /etc/libvirt/qemu. */
  libvirtDirs?: readonly string[];
}
