/**
 * The DecodingLayer contract (gopacket style): a layer object is created once per parser and
 * `decode(view, off, end)` overwrites every field from the bytes in [off, end) of the batch buffer.
 * It returns 0 (ok) or a Reason. It keeps offsets, never subarrays: `payloadOff`/`payloadEnd` bound
 * what follows, `next` is the LayerId of what follows. `anomaly` is a Reason noticed while the
 * layer still decoded (e.g. a length beyond the captured bytes); the parser counts it and goes on.
 */
export abstract class Layer {
  headerOff = 0;
  payloadOff = 0;
  payloadEnd = 0;
  next = 0;
  anomaly = 0;

  abstract decode(view: DataView, off: number, end: number): number;

  protected base(off: number, payloadOff: number, payloadEnd: number, next: number): void {
    this.headerOff = off;
    this.payloadOff = payloadOff;
    this.payloadEnd = payloadEnd;
    this.next = next;
    this.anomaly = 0;
  }
}
