/** Totals over decoded frames for `replay --summary`: frames, bytes, by layer, receive class, malformed reason. */
import { type FrameParser } from './parser.js';
import { INNER, LAYER_COUNT, LAYER_NAMES, REASON_COUNT, REASON_NAMES, RX_CLASS_NAMES } from './ids.js';

export class DecodeSummary {
  frames = 0;
  bytes = 0;
  capturedBytes = 0;
  readonly byLinkType = new Map<number, number>();
  /** Frames containing each layer (outer) and each inner layer. */
  readonly layers = new Float64Array(LAYER_COUNT);
  readonly innerLayers = new Float64Array(LAYER_COUNT);
  readonly rxClasses = new Float64Array(RX_CLASS_NAMES.length);
  private lastLinkType = -1;
  private lastLinkCount = 0;

  /** Adds the frame the parser holds (allocation-free). */
  add(p: FrameParser): void {
    this.frames++;
    this.bytes += p.wirelen;
    this.capturedBytes += p.caplen;
    if (p.linkType !== this.lastLinkType) this.flushLink(p.linkType);
    this.lastLinkCount++;
    this.rxClasses[p.rxClass]! += 1;
    for (let i = 0; i < p.count; i++) {
      const id = p.decoded[i]!;
      if (id & INNER) this.innerLayers[id & ~INNER]! += 1;
      else this.layers[id]! += 1;
    }
  }

  private flushLink(next: number): void {
    if (this.lastLinkType >= 0)
      this.byLinkType.set(this.lastLinkType, (this.byLinkType.get(this.lastLinkType) ?? 0) + this.lastLinkCount);
    this.lastLinkType = next;
    this.lastLinkCount = 0;
  }

  /** A plain object (JSON-ready) of the totals, with the parser's malformed counters. */
  report(p: FrameParser): Record<string, unknown> {
    this.flushLink(-1);
    const named = (arr: Float64Array, names: readonly string[]): Record<string, number> => {
      const o: Record<string, number> = {};
      arr.forEach((v, i) => {
        if (v > 0) o[names[i] ?? String(i)] = v;
      });
      return o;
    };
    const malformed: Record<string, number> = {};
    for (let i = 1; i < REASON_COUNT; i++) if (p.counters[i]! > 0) malformed[REASON_NAMES[i]!] = p.counters[i]!;
    return {
      frames: this.frames,
      bytes: this.bytes,
      captured_bytes: this.capturedBytes,
      link_types: Object.fromEntries([...this.byLinkType].map(([k, v]) => [String(k), v])),
      layers: named(this.layers, LAYER_NAMES),
      inner_layers: named(this.innerLayers, LAYER_NAMES),
      rx_classes: named(this.rxClasses, RX_CLASS_NAMES),
      malformed,
      snapped: p.snappedFrames,
      nested_tunnels: p.nestedTunnels,
    };
  }
}
