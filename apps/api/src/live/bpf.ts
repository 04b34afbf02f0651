/** The one place the API touches libpcap: tcpdump filters compiled by libs/pcap's BpfFilter. */
import { BpfFilter } from '@nicscope/pcap';
import { type FilterCompiler } from './fanout.js';

export const compileBpf: FilterCompiler = (expr, linkType) => new BpfFilter(expr, linkType, 262144);
