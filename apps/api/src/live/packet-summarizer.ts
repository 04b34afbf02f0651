/**
 * Frame summaries from libs/packet: its FrameParser decodes the frame (every layer, tunnels, VLAN
 * stack, malformed reasons) and its formatter builds the line and the fields. One parser, reused;
 * one DataView per capture buffer (the batch buffer is reused by the capture, so it is built rarely).
 */
import { type FrameSummarizer, type FrameSummaryFields } from '@nicscope/contracts';
import { FrameParser, frameSummary } from '@nicscope/packet';

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 58: 'ICMP6', 132: 'SCTP' };

export class PacketSummarizer implements FrameSummarizer {
  private readonly parser = new FrameParser();
  private view: DataView | undefined;
  private viewOf: Uint8Array | undefined;

  summarize(buf: Uint8Array, off: number, caplen: number, wirelen: number, linkType: number): FrameSummaryFields {
    if (this.viewOf !== buf || !this.view) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewOf = buf;
    }
    this.parser.decode(linkType, buf, this.view, off, caplen, wirelen);
    const s = frameSummary(this.parser, 0, 0, '');
    // The formatter's line starts with the time of day, the interface (here '') and the receive class,
    // which needs the NIC's MAC (unknown here): the WS message carries time and interface apart.
    const line = s.summary.replace(/^\S+ +/, '').replace(/^unknown /, '');
    const proto =
      s.proto !== undefined
        ? (PROTO_NAMES[s.proto] ?? `proto ${s.proto}`)
        : s.layers.includes('arp')
          ? 'ARP'
          : undefined;
    return {
      summary: line,
      proto,
      src: s.src_ip,
      dst: s.dst_ip,
      sport: s.src_port,
      dport: s.dst_port,
      vlan: s.vlan?.[0],
    };
  }
}
