/** @nicscope/packet: frame decoding into reused layer objects (no Nest, no I/O). */
export * from './ids.js';
export { Layer } from './layer.js';
export { Arp, Dot1Q, Ethernet, Llc, NullLoop, Sll, Sll2 } from './l2.js';
export { IPv4, IPv6 } from './l3.js';
export { Icmp, Icmpv6, Tcp, TcpFlag, Udp } from './l4.js';
export { Geneve, Gre, VxLan } from './tunnel.js';
export { FrameParser, LayerSet, MAX_LAYERS, MAX_VLANS, parseMac } from './parser.js';
export { DecodeSummary } from './summary.js';
export * from './format.js';
