/** Flow records for the pipeline's specs (under `test/`: not built into dist). */
import { EndReason, newFlowRecord, type FlowRecord } from '@nicscope/flow';

/**
 * An ARP flow from 02:00:<srcLo as 4 bytes> to ff:ff:ff:ff:ff:ff as the flow table emits it: no IP
 * version, its MACs in the key words and in the MAC fields, ended idle.
 */
export function arpRecord(srcLo: number, packets: number): FlowRecord {
  const r = newFlowRecord();
  r.ipVersion = 0;
  r.etherType = 0x0806;
  r.src.set([0x0200, srcLo, 0, 0]);
  r.dst.set([0xffff, 0xffffffff, 0, 0]);
  r.srcMacHi = 0x0200;
  r.srcMacLo = srcLo;
  r.dstMacHi = 0xffff;
  r.dstMacLo = 0xffffffff;
  r.hasMac = 1;
  r.packetsFwd = packets;
  r.endReason = EndReason.IDLE;
  return r;
}
