import { col } from './column.js';
import { defineTable } from './table.js';

/** Interface inventory snapshots, written when something changes. */
export const inventory = defineTable({
  name: 'inventory',
  doc: 'interface inventory snapshots (on change)',
  timeColumn: 'ts',
  ttl: 'rollup',
  engine: 'MergeTree',
  columns: [
    col('ts', 'DateTime64', 'snapshot time', { orderBy: 2 }),
    col('collector', 'LowCardinality', 'collector (host)', { orderBy: 1 }),
    col('snapshot_id', 'UInt64', 'id shared by the rows of one snapshot'),
    col('netns', 'LowCardinality', "network namespace ('' root)"),
    col('iface', 'LowCardinality', 'interface name', { orderBy: 3 }),
    col('ifindex', 'UInt32', 'interface index'),
    col('kind', 'LowCardinality', 'physical, bridge, veth, tap, tun, vlan, vxlan, openvswitch …'),
    col('driver', 'LowCardinality', 'driver (e1000, virtio_net, vmxnet3, veth …)'),
    col('mac', 'UInt64', 'MAC as a 48-bit number'),
    col('mtu', 'UInt32', 'MTU'),
    col('oper_state', 'LowCardinality', 'up, down, unknown …'),
    col('master', 'LowCardinality', "bridge or bond it is enslaved to ('' none)"),
    col('peer', 'LowCardinality', "veth peer name ('' none)"),
    col('peer_netns', 'LowCardinality', 'namespace of the veth peer'),
    col('ovs_bridge', 'LowCardinality', "OVS bridge of the port ('' none)"),
    col('owner', 'String', 'VM / container / process holding the device'),
    col('addresses', 'String', 'addresses, comma-separated CIDRs'),
  ],
});
