/**
 * The deriver of the flows writer: the flows_1m and flows_1h batches, gathered over the flows
 * batches of up to `maxAgeMs` (decision 0413). Each flows batch is added to the minute groups
 * (RollupAggregator.addFlows: a talker pair seen again in the same minute adds to its row); the
 * gathered rows go, with the hour groups made from them, when they are `maxAgeMs` old, when a
 * flows batch went by age or at a close (the rate is low or the writer stops), or before a flows
 * batch they would have no room for. Their tokens are the last added flows batch's plus `-1m` /
 * `-1h`. Fewer and larger rollup inserts than one pair per flows batch: the fixed cost of an
 * insert and a part is paid once per interval, not per batch.
 */
import { qualified, type DdlOptions } from '../schema/ddl.js';
import { flows1h, flows1m, type flows } from '../schema/index.js';
import { insertColumns } from '../schema/table.js';
import { type DerivedBatch, type Deriver } from '../writer/batch-writer.js';
import { newWriterCounters, type WriterCounters } from '../writer/metrics.js';
import { createRowBuilder, type RowBuilder } from './builder.js';
import { RollupAggregator } from './rollup.js';

export class FlowRollups implements Deriver<typeof flows> {
  /** Counters of the rollup tables, by table name. */
  readonly counters = new Map<string, WriterCounters>([
    [flows1m.name, newWriterCounters()],
    [flows1h.name, newWriterCounters()],
  ]);
  private readonly minuteGroups = new RollupAggregator();
  private readonly hourGroups = new RollupAggregator();
  private readonly minute: RowBuilder<typeof flows1m>;
  private readonly hour: RowBuilder<typeof flows1h>;
  private readonly targets: { m: string; h: string };
  /** When the oldest gathered flows batch was added (0: none gathered). */
  private sinceMs = 0;
  /** Token of the last flows batch added. */
  private lastToken = '';

  /**
   * `capacity`: the most rows a flows batch has, and the most minute groups gathered.
   * `maxAgeMs`: how long the groups may gather (0: every flows batch's rollups go with it).
   */
  constructor(
    capacity: number,
    ddl: DdlOptions,
    private readonly maxAgeMs = 0,
  ) {
    this.minute = createRowBuilder(flows1m, capacity);
    this.hour = createRowBuilder(flows1h, capacity);
    this.targets = { m: qualified(flows1m, ddl), h: qualified(flows1h, ddl) };
  }

  derive(rows: RowBuilder<typeof flows>, token: string, final: boolean): DerivedBatch[] {
    const out: DerivedBatch[] = [];
    if (rows.count > 0) {
      if (this.minute.count + rows.count > this.minute.capacity) out.push(...this.take());
      this.minuteGroups.addFlows(rows, this.minute, 60);
      if (this.sinceMs === 0) this.sinceMs = Date.now();
      this.lastToken = token;
    }
    if (final || this.due(Date.now())) out.push(...this.take());
    return out;
  }

  due(nowMs: number): boolean {
    return this.sinceMs !== 0 && nowMs - this.sinceMs >= this.maxAgeMs;
  }

  take(): DerivedBatch[] {
    if (this.minute.count === 0) return [];
    this.hourGroups.fromRollup(this.minute, this.hour, 3600);
    const out = [
      this.batch(this.minute, this.targets.m, `${this.lastToken}-1m`, this.counters.get(flows1m.name)!),
      this.batch(this.hour, this.targets.h, `${this.lastToken}-1h`, this.counters.get(flows1h.name)!),
    ];
    this.minute.clear();
    this.hour.clear();
    this.minuteGroups.clearGroups();
    this.sinceMs = 0;
    return out;
  }
  private batch(b: RowBuilder<typeof flows1m>, table: string, token: string, counters: WriterCounters): DerivedBatch {
    counters.lastBatchRows = b.count;
    return {
      batch: {
        table,
        columns: insertColumns(b.table),
        token,
        rows: b.count,
        createdMs: Date.now(),
        format: 'Native',
        payload: b.encode(),
      },
      counters,
      from: b,
    };
  }
}
