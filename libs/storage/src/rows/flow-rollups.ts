/**
 * The deriver of the flows writer: from each flows batch, the flows_1m and flows_1h batches
 * (RollupAggregator), encoded as Native with the flows batch's token plus `-1m` / `-1h`.
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
  private readonly agg = new RollupAggregator();
  private readonly minute: RowBuilder<typeof flows1m>;
  private readonly hour: RowBuilder<typeof flows1h>;
  private readonly targets: { m: string; h: string };

  constructor(capacity: number, ddl: DdlOptions) {
    this.minute = createRowBuilder(flows1m, capacity);
    this.hour = createRowBuilder(flows1h, capacity);
    this.targets = { m: qualified(flows1m, ddl), h: qualified(flows1h, ddl) };
  }

  derive(rows: RowBuilder<typeof flows>, token: string): DerivedBatch[] {
    if (rows.count === 0) return [];
    this.agg.fromFlows(rows, this.minute, 60);
    this.agg.fromRollup(this.minute, this.hour, 3600);
    const out = [
      this.batch(this.minute, this.targets.m, `${token}-1m`, this.counters.get(flows1m.name)!),
      this.batch(this.hour, this.targets.h, `${token}-1h`, this.counters.get(flows1h.name)!),
    ];
    this.minute.clear();
    this.hour.clear();
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
