/**
 * A bounded FIFO of pre-serialized messages. Pushing into a full queue drops the oldest entry and
 * reports how many items (frames, flow updates…) that entry carried, so the owner can tell the client.
 */
export class RingQueue<T = string> {
  private readonly items: Array<T | undefined>;
  private readonly counts: Uint32Array;
  private head = 0;
  private len = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity).fill(undefined);
    this.counts = new Uint32Array(capacity);
  }

  get size(): number {
    return this.len;
  }

  /** Appends; returns the item count of the entry dropped to make room (0 when nothing was dropped). */
  push(msg: T, count: number): number {
    let dropped = 0;
    if (this.len === this.capacity) {
      dropped = this.counts[this.head]!;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.len--;
    }
    const tail = (this.head + this.len) % this.capacity;
    this.items[tail] = msg;
    this.counts[tail] = count;
    this.len++;
    return dropped;
  }

  /** Removes and returns the oldest message, or undefined when empty. */
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const msg = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.len--;
    return msg;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.len = 0;
  }
}
