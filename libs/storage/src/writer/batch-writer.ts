/**
 * The batch writer of one table. Producers fill `writer.row` (a columnar builder) and call
 * `writer.finalize()`; a batch is flushed when it holds `flushRows` rows or its oldest row is
 * `flushIntervalMs` old. One insert is in flight per table. While it runs, rows keep coming into
 * the next batch, up to `maxRows` (group commit: when inserts are slower than the producer, the
 * batches grow and each insert's fixed cost is paid for more rows); the batch is sent as soon as
 * the insert in flight ends. A producer that gets `false` from finalize() should `await
 * writer.drain()` (backpressure, counted); one that keeps writing anyway never grows memory: a
 * batch of `maxRows` with an insert still running goes to the disk spool (counted).
 *
 * Each batch carries an `insert_deduplication_token` (writer instance + table + sequence), kept
 * with it in the spool, so a retry or a replay after a lost answer never doubles a row. Batches
 * derived from the batches (the flow rollups, `derive`) are sent right after the batch that
 * releases them, in the same slot, with a token made from that batch's; a deriver may gather over
 * several batches, and the writer's timer sends what it holds once due when no batch comes.
 */
import { type InsertFormat } from '../clickhouse/clickhouse.js';
import { createRowBuilder, type RowBuilder } from '../rows/builder.js';
import { insertColumns, type RowOf, type TableDef } from '../schema/table.js';
import { newWriterCounters, type WriterCounters } from './metrics.js';

export interface EncodedBatch {
  table: string;
  columns: readonly string[];
  token: string;
  rows: number;
  createdMs: number;
  /** Encoding of the payload: Native from the builders; RowBinary in spool records of earlier versions. */
  format: InsertFormat;
  payload: Uint8Array;
}

/** What a writer needs from the storage around it. */
export interface WriterCore {
  readonly instanceId: string;
  /** Inserts now, or spools when the database is not ready or older batches wait in the spool. */
  deliver(batch: EncodedBatch, counters: WriterCounters): Promise<void>;
  /** Puts a batch in the spool at once (overflow path). */
  spoolNow(batch: EncodedBatch, counters: WriterCounters): void;
}

export interface WriterOptions {
  flushRows: number;
  /**
   * Rows a batch may grow to while an insert is in flight (group commit); the builder's fixed
   * capacity. Default flushRows (no growth).
   */
  maxRows?: number;
  flushIntervalMs: number;
  /** Batches computed from each batch of this table (the flow rollups), sent right after it. */
  derive?: Deriver<TableDef>;
}

/** A batch derived from another, with the counters of its own table. */
export interface DerivedBatch {
  batch: EncodedBatch;
  counters: WriterCounters;
  /** The builder that encoded the payload: it gets the payload back once written or spooled. */
  from: { release(payload: Uint8Array): void };
}

export interface Deriver<T extends TableDef> {
  /**
   * Takes in the committed rows of `rows` (not changing them); `token` is the source batch's.
   * Returns the batches ready to send: all it holds when `final` (the batch went by age or at a
   * close), else what is due or would overflow.
   */
  derive(rows: RowBuilder<T>, token: string, final: boolean): DerivedBatch[];
  /** Whether what it holds should go now (checked by the writer's timer when no batch comes). */
  due(nowMs: number): boolean;
  /** All it holds, as batches (none when empty). */
  take(): DerivedBatch[];
}

export class BatchWriter<T extends TableDef> {
  readonly row: RowBuilder<T>;
  readonly counters: WriterCounters = newWriterCounters();
  private readonly columns: string[];
  private seq = 0;
  private inflight: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private batchStartMs = 0;
  private readonly maxRows: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly table: T,
    /** Qualified name inserted into. */
    readonly target: string,
    private readonly core: WriterCore,
    private readonly opts: WriterOptions,
  ) {
    this.maxRows = Math.max(opts.flushRows, opts.maxRows ?? opts.flushRows);
    this.row = createRowBuilder(table, this.maxRows);
    this.row.onFull = () => this.flush('rows');
    this.columns = insertColumns(table);
    const tick = Math.max(10, Math.min(1000, Math.floor(opts.flushIntervalMs / 5)));
    this.timer = setInterval(() => this.onTick(tick), tick);
    this.timer.unref();
  }

  /** Commits the row being filled; false = the writer is behind, `await drain()` before more rows. */
  finalize(): boolean {
    this.row.finalize();
    return this.committed();
  }

  /** Appends a whole row object (for low-rate tables). */
  append(row: Partial<RowOf<T>>): boolean {
    this.row.append(row);
    return this.committed();
  }

  /** After a row: a batch of flushRows goes now if no insert runs; false = the producer should wait. */
  private committed(): boolean {
    const n = this.row.count;
    if (this.inflight) return n < this.maxRows >>> 1;
    if (n >= this.opts.flushRows) this.flush('rows');
    return true;
  }

  /** Resolves when the insert in flight ends (the next batch may start at once: group commit). */
  async drain(): Promise<void> {
    if (!this.inflight) return;
    this.counters.backpressureWaits++;
    const t0 = performance.now();
    await new Promise<void>((r) => this.waiters.push(r));
    this.counters.waitMsTotal += performance.now() - t0;
  }

  private onTick(tick: number): void {
    if (this.row.count === 0) {
      this.batchStartMs = 0;
      const d = this.opts.derive;
      if (d && !this.inflight && d.due(Date.now())) this.start(d.take());
      return;
    }
    const now = Date.now();
    if (this.batchStartMs === 0) this.batchStartMs = now - tick / 2;
    if (now - this.batchStartMs >= this.opts.flushIntervalMs) this.flush('age');
  }

  /** The current rows as a batch, followed by the derived batches they release (all if `final`). */
  private encode(final: boolean): DerivedBatch[] {
    const rows = this.row.count;
    const token = `${this.core.instanceId}-${this.table.name}-${++this.seq}`;
    const batch: EncodedBatch = {
      table: this.target,
      columns: this.columns,
      token,
      rows,
      createdMs: Date.now(),
      format: 'Native',
      payload: this.row.encode(),
    };
    const out: DerivedBatch[] = [{ batch, counters: this.counters, from: this.row }];
    if (this.opts.derive)
      out.push(...this.opts.derive.derive(this.row as unknown as RowBuilder<TableDef>, token, final));
    this.row.clear();
    this.batchStartMs = 0;
    this.counters.lastBatchRows = rows;
    return out;
  }

  private async deliverAll(batches: DerivedBatch[]): Promise<void> {
    for (const b of batches) {
      await this.core.deliver(b.batch, b.counters);
      b.from.release(b.batch.payload);
    }
  }

  /** Starts writing the current batch (if any). */
  flush(reason: 'rows' | 'age' | 'close'): void {
    if (this.row.count === 0) {
      // No rows, but a deriver may still hold some (a close sends them).
      if (reason === 'close' && !this.inflight && this.opts.derive) this.start(this.opts.derive.take());
      return;
    }
    if (this.inflight) {
      if (!this.row.full) return; // an age flush waits for the running insert
      this.counters.overflowSpooled++;
      for (const b of this.encode(false)) {
        this.core.spoolNow(b.batch, b.counters);
        b.from.release(b.batch.payload);
      }
      return;
    }
    this.start(this.encode(reason !== 'rows'));
  }

  /** Delivers `batches` in order as the insert in flight. */
  private start(batches: DerivedBatch[]): void {
    if (batches.length === 0) return;
    this.inflight = this.deliverAll(batches)
      .catch(() => undefined)
      .finally(() => {
        this.inflight = undefined;
        // Rows that came in meanwhile: a full batch goes at once (group commit).
        if (this.row.count >= this.opts.flushRows && !this.closed) this.flush('rows');
        const w = this.waiters;
        this.waiters = [];
        for (const r of w) r();
      });
  }

  /** Writes the current batch now and waits until it and any running insert are written or spooled. */
  async flushNow(): Promise<void> {
    await this.settle();
    this.flush('close');
    await this.settle();
  }

  private async settle(): Promise<void> {
    for (let p = this.inflight; p; p = this.inflight) await p;
  }

  /** Stops the timer without flushing (crash simulation in tests). */
  abandon(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** Flushes what is left and waits until it is written or spooled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flushNow();
  }
}
