/**
 * The storage of one process: the ClickHouse adapter, the migrations, one batch writer per table,
 * and the disk spool with its replay loop. See docs/storage.md for how an app uses it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ClickHouse, type ClickHouseOptions } from './clickhouse/clickhouse.js';
import { classify, StorageError } from './clickhouse/errors.js';
import { MIGRATIONS, migrate, type Migration, type MigrationReport } from './migrations/index.js';
import { qualified, type DdlOptions } from './schema/ddl.js';
import { type TableDef } from './schema/table.js';
import { Spool } from './spool/spool.js';
import { FlowRollups } from './rows/flow-rollups.js';
import { flows } from './schema/index.js';
import { BatchWriter, type Deriver, type EncodedBatch, type WriterCore } from './writer/batch-writer.js';
import { spoolSamples, writerSamples, type MetricSample, type WriterCounters } from './writer/metrics.js';

/** How many times flushRows a flows batch may grow to while an insert is in flight (group commit). */
export const FLOWS_GROUP = 4;

export interface StorageLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The configuration keys storage reads (a subset of NicscopeConfig). */
export interface StorageConfig {
  dataDir: string;
  clickhouse: {
    url: string;
    user: string;
    password: string;
    database: string;
    cluster: string;
    requestTimeoutMs: number;
  };
  storage: {
    flushRows: number;
    flushIntervalMs: number;
    spoolMaxMb: number;
    ttlRawDays: number;
    ttlRollupDays: number;
    insertRetries?: number;
  };
}

export interface StorageOptions {
  /** Name of this collector in rows and in schema_migrations (default: host name). */
  collector?: string;
  logger?: StorageLogger;
  migrations?: readonly Migration[];
}

/** ready: inserting directly; spooling: the database did not answer yet or older batches wait in the spool. */
export type StorageState = 'ready' | 'spooling' | 'closed';

const MAX_BACKOFF_MS = 30_000;
const MIN_BACKOFF_MS = 20;

const silent: StorageLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class Storage implements WriterCore {
  readonly instanceId = randomUUID().slice(0, 8);
  readonly collector: string;
  readonly ch: ClickHouse;
  readonly spool: Spool;
  readonly ddl: DdlOptions;
  private readonly log: StorageLogger;
  private readonly migrations: readonly Migration[];
  private readonly writers = new Map<string, BatchWriter<TableDef>>();
  /** Counters of tables written as batches derived from another table's (the flow rollups). */
  private readonly derivedCounters = new Map<string, WriterCounters>();
  private ready = false;
  private closed = false;
  private replaying: Promise<void> | undefined;
  private wakeReplay: (() => void) | undefined;
  private outageLogged = false;
  /** Errors of the replay loop and of migrations at start (the writers count their own). */
  readonly replayCounters = { insertErrors: 0, migrationErrors: 0 };
  lastError: StorageError | undefined;

  private constructor(
    private readonly cfg: StorageConfig,
    opts: StorageOptions,
  ) {
    this.collector = opts.collector ?? hostname();
    this.log = opts.logger ?? silent;
    this.migrations = opts.migrations ?? MIGRATIONS;
    const chOpts: ClickHouseOptions = { ...cfg.clickhouse, dataDir: cfg.dataDir };
    this.ch = ClickHouse.open(chOpts);
    this.spool = new Spool(join(resolve(cfg.dataDir), 'spool'), cfg.storage.spoolMaxMb * 1024 * 1024);
    this.ddl = {
      database: cfg.clickhouse.database,
      cluster: cfg.clickhouse.cluster,
      ttlRawDays: cfg.storage.ttlRawDays,
      ttlRollupDays: cfg.storage.ttlRollupDays,
    };
  }

  /**
   * Opens the storage and applies the migrations. Wrong credentials or a bad configuration throw a
   * StorageError that says so. An unreachable database does not: the storage starts in state
   * 'spooling', logs it, keeps every batch in the spool and retries (20 ms → 30 s) in the background.
   */
  static async open(cfg: StorageConfig, opts: StorageOptions = {}): Promise<Storage> {
    const s = new Storage(cfg, opts);
    try {
      await s.runMigrations();
    } catch (err) {
      const e = classify(err, s.ch.target, 'applying migrations');
      if (e.kind === 'auth' || e.kind === 'config' || e.kind === 'rejected') {
        await s.ch.close();
        throw e;
      }
      s.noteOutage(e);
    }
    if (!s.spool.empty) {
      s.log.info(
        { batches: s.spool.batches, bytes: s.spool.bytes },
        'storage: replaying the spool left by an earlier run',
      );
    }
    s.kickReplay();
    return s;
  }

  get state(): StorageState {
    if (this.closed) return 'closed';
    return this.ready && this.spool.empty ? 'ready' : 'spooling';
  }

  /** True once the migrations ran (the database answered at least once). */
  get migrated(): boolean {
    return this.ready;
  }

  lastMigration: MigrationReport | undefined;

  private async runMigrations(): Promise<void> {
    const r = await migrate(this.ch, this.ddl, { collector: this.collector, migrations: this.migrations });
    this.lastMigration = r;
    this.ready = true;
    this.log.info({ applied: r.applied, skipped: r.skipped, target: this.ch.target }, 'storage: schema up to date');
  }

  /** The batch writer of a table (one per table per process). The flows writer also writes the rollups. */
  writer<T extends TableDef>(table: T): BatchWriter<T> {
    let w = this.writers.get(table.name);
    if (!w) {
      let derive: Deriver<TableDef> | undefined;
      // The flows writer groups rows while an insert runs, up to FLOWS_GROUP × flushRows a batch
      // (decision 0404: the storage bench's writer went from 334k-382k to 477k-554k rows per
      // CPU-second). The rollup builders take as many rows.
      const maxRows = table.name === flows.name ? this.cfg.storage.flushRows * FLOWS_GROUP : undefined;
      if (table.name === flows.name) {
        // The rollups gather over the flows batches of one flush interval (decision 0413).
        const rollups = new FlowRollups(maxRows!, this.ddl, this.cfg.storage.flushIntervalMs);
        for (const [name, c] of rollups.counters) this.derivedCounters.set(name, c);
        derive = rollups as unknown as Deriver<TableDef>;
      }
      w = new BatchWriter(table, qualified(table, this.ddl), this, {
        flushRows: this.cfg.storage.flushRows,
        maxRows,
        flushIntervalMs: this.cfg.storage.flushIntervalMs,
        derive,
      }) as unknown as BatchWriter<TableDef>;
      this.writers.set(table.name, w);
    }
    return w as unknown as BatchWriter<T>;
  }

  // ---- WriterCore ----

  async deliver(batch: EncodedBatch, c: WriterCounters): Promise<void> {
    if (!this.ready || !this.spool.empty || this.closed) {
      this.spoolNow(batch, c);
      return;
    }
    const retries = this.cfg.storage.insertRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        await this.ch.insert(batch.table, batch.columns, batch.format, batch.payload, batch.token);
        c.insertMsTotal += performance.now() - t0;
        c.rowsWritten += batch.rows;
        c.batchesWritten++;
        return;
      } catch (err) {
        c.insertMsTotal += performance.now() - t0;
        c.insertErrors++;
        const e = classify(err, this.ch.target, `inserting into ${batch.table}`);
        this.lastError = e;
        if (!e.retryable) {
          c.rejectedBatches++;
          this.log.error(
            { table: batch.table, rows: batch.rows, err: e.message },
            'storage: batch refused as invalid; kept in spool/rejected',
          );
          if (this.spool.append(batch)) {
            const last = this.spool.peekLast();
            if (last) this.spool.reject(last);
          }
          return;
        }
        if (attempt >= retries || this.closed) {
          this.noteOutage(e);
          this.spoolNow(batch, c);
          return;
        }
        c.insertRetries++;
        await sleep(MIN_BACKOFF_MS << attempt);
      }
    }
  }

  spoolNow(batch: EncodedBatch, c: WriterCounters): void {
    c.spooledBatches++;
    if (!this.spool.append(batch)) {
      this.log.warn(
        {
          table: batch.table,
          rows: batch.rows,
          droppedRows: this.spool.counters.droppedRows,
          spoolMb: this.cfg.storage.spoolMaxMb,
        },
        'storage: spool full (storage.spoolMaxMb); batch dropped',
      );
      return;
    }
    this.kickReplay();
  }

  private noteOutage(e: StorageError): void {
    this.lastError = e;
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.log.warn(
      { err: e.message, spool: this.spool.dir },
      `storage: ${this.ch.target} does not answer; collecting anyway, batches go to the spool until it does`,
    );
  }

  // ---- replay ----

  private kickReplay(): void {
    if (this.closed) return;
    if (this.replaying) {
      this.wakeReplay?.();
      return;
    }
    if (this.ready && this.spool.empty) return;
    this.replaying = this.replayLoop().finally(() => {
      this.replaying = undefined;
    });
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.wakeReplay = () => {
        clearTimeout(t);
        r();
      };
    });
    this.wakeReplay = undefined;
  }

  private async replayLoop(): Promise<void> {
    let delay = MIN_BACKOFF_MS;
    while (!this.closed) {
      if (!this.ready) {
        try {
          await this.runMigrations();
          delay = MIN_BACKOFF_MS;
        } catch (err) {
          this.replayCounters.migrationErrors++;
          this.noteOutage(classify(err, this.ch.target, 'applying migrations'));
          await this.pause(delay);
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
          continue;
        }
      }
      const next = this.spool.peek();
      if (!next) break;
      try {
        await this.ch.insert(
          next.batch.table,
          next.batch.columns,
          next.batch.format,
          next.batch.payload,
          next.batch.token,
        );
        this.spool.confirm(next.entry, next.batch.rows);
        delay = MIN_BACKOFF_MS;
        if (this.outageLogged && this.spool.empty) {
          this.outageLogged = false;
          this.log.info(
            { replayed: this.spool.counters.replayedBatches },
            `storage: ${this.ch.target} answers again; spool replayed`,
          );
        }
      } catch (err) {
        const e = classify(err, this.ch.target, `replaying a spooled batch into ${next.batch.table}`);
        this.replayCounters.insertErrors++;
        if (!e.retryable) {
          this.log.error(
            { table: next.batch.table, err: e.message },
            'storage: spooled batch refused as invalid; moved to spool/rejected',
          );
          this.spool.reject(next.entry);
          continue;
        }
        this.noteOutage(e);
        await this.pause(delay);
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Waits until the spool is empty (or `timeoutMs` passes); true when it is empty. */
  async drainSpool(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    this.kickReplay();
    while (Date.now() < end) {
      if (this.ready && this.spool.empty && !this.replaying) return true;
      await sleep(20);
    }
    return this.ready && this.spool.empty;
  }

  // ---- accounting ----

  /** Sum of the writers' counters plus the spool's: the storage part of a collector_health row. */
  health(): {
    rows_written: number;
    insert_errors: number;
    insert_retries: number;
    backpressure_waits: number;
    spool_bytes: number;
    spool_batches: number;
    spool_dropped_batches: number;
    spool_dropped_rows: number;
    batches_rejected: number;
  } {
    let rows = 0;
    let errors = this.replayCounters.insertErrors;
    let retries = 0;
    let waits = 0;
    let rejected = 0;
    for (const c of this.allCounters().values()) {
      rows += c.rowsWritten;
      errors += c.insertErrors;
      retries += c.insertRetries;
      waits += c.backpressureWaits;
      rejected += c.rejectedBatches;
    }
    const sc = this.spool.counters;
    return {
      rows_written: rows + sc.replayedRows,
      insert_errors: errors,
      insert_retries: retries,
      backpressure_waits: waits,
      spool_bytes: this.spool.bytes,
      spool_batches: this.spool.batches,
      spool_dropped_batches: sc.droppedBatches,
      spool_dropped_rows: sc.droppedRows,
      batches_rejected: Math.max(rejected, sc.rejectedBatches),
    };
  }

  private allCounters(): Map<string, WriterCounters> {
    const all = new Map(this.derivedCounters);
    for (const [name, w] of this.writers) all.set(name, w.counters);
    return all;
  }

  metricSamples(): MetricSample[] {
    const out: MetricSample[] = [];
    for (const [name, c] of this.allCounters()) out.push(...writerSamples(name, c));
    out.push(...spoolSamples(this.spool));
    return out;
  }

  /**
   * Flushes every writer (rows go to the database, or to the spool when it does not answer), stops
   * the replay loop and closes the connection. What is still spooled is replayed by the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.writers.values()].map((w) => w.close()));
    this.closed = true;
    this.wakeReplay?.();
    if (this.replaying) await this.replaying;
    await this.ch.close();
  }

  /**
   * Simulates a crash for tests: stops timers and the replay loop without flushing anything. Rows
   * not yet flushed are lost (as in a real crash); the spool stays on disk.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    for (const w of this.writers.values()) w.abandon();
    this.wakeReplay?.();
    if (this.replaying) await this.replaying;
    await this.ch.close();
  }
}

export { StorageError };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
