/**
 * Disk spool for batches the database did not take. Each batch is one immutable record file,
 * `<seq>.rec` (seq: 16 digits, increasing, never reused), written to a temporary name and renamed,
 * so a crash leaves either a whole record or none. A record is
 *
 *   'NSP1' | u32 header length | u32 payload length | u32 CRC-32 of header+payload | header JSON | payload
 *
 * with the header `{table, columns, token, rows, createdMs, format}` and the payload the batch's
 * bytes (Native; RowBinary in records of earlier versions, which carry no format). Records are
 * replayed oldest first with their original deduplication token. A record that fails its checksum
 * is moved to `corrupt/`; one the database refuses as invalid to `rejected/`. The spool holds at
 * most `maxBytes`; a batch that does not fit is dropped and counted.
 */
import { crc32 } from 'node:zlib';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type InsertFormat } from '../clickhouse/clickhouse.js';

export interface SpoolBatch {
  /** Qualified table name the batch goes to. */
  table: string;
  columns: readonly string[];
  token: string;
  rows: number;
  createdMs: number;
  /** Encoding of the payload (records without it were written as RowBinary). */
  format: InsertFormat;
  payload: Uint8Array;
}

export interface SpoolEntry {
  seq: number;
  file: string;
  bytes: number;
}

export interface SpoolCounters {
  appendedBatches: number;
  appendedRows: number;
  droppedBatches: number;
  droppedRows: number;
  /** droppedRows by table (qualified name): the flows and their rollups are counted apart. */
  droppedRowsByTable: Record<string, number>;
  replayedBatches: number;
  replayedRows: number;
  corruptRecords: number;
  rejectedBatches: number;
}

const MAGIC = 0x3150534e; // 'NSP1' little-endian
const HEAD = 16;

export class Spool {
  readonly counters: SpoolCounters = {
    appendedBatches: 0,
    appendedRows: 0,
    droppedBatches: 0,
    droppedRows: 0,
    droppedRowsByTable: {},
    replayedBatches: 0,
    replayedRows: 0,
    corruptRecords: 0,
    rejectedBatches: 0,
  };
  private readonly entries: SpoolEntry[] = [];
  private nextSeq = 1;
  private totalBytes = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.tmp')) {
        rmSync(join(dir, f), { force: true });
        continue;
      }
      const m = /^(\d{16})\.rec$/.exec(f);
      if (!m) continue;
      const seq = Number(m[1]);
      const bytes = statSync(join(dir, f)).size;
      this.entries.push({ seq, file: join(dir, f), bytes });
      this.totalBytes += bytes;
    }
    this.entries.sort((a, b) => a.seq - b.seq);
    this.nextSeq = (this.entries.at(-1)?.seq ?? 0) + 1;
  }

  get bytes(): number {
    return this.totalBytes;
  }
  get batches(): number {
    return this.entries.length;
  }
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** Writes a batch as the newest record. Returns false (and counts the drop) when it does not fit. */
  append(b: SpoolBatch): boolean {
    const header = Buffer.from(
      JSON.stringify({
        table: b.table,
        columns: b.columns,
        token: b.token,
        rows: b.rows,
        createdMs: b.createdMs,
        format: b.format,
      }),
    );
    const size = HEAD + header.length + b.payload.byteLength;
    if (this.totalBytes + size > this.maxBytes) {
      this.counters.droppedBatches++;
      this.counters.droppedRows += b.rows;
      this.counters.droppedRowsByTable[b.table] = (this.counters.droppedRowsByTable[b.table] ?? 0) + b.rows;
      return false;
    }
    const head = Buffer.allocUnsafe(HEAD);
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(header.length, 4);
    head.writeUInt32LE(b.payload.byteLength, 8);
    head.writeUInt32LE(crc32(b.payload, crc32(header)), 12);
    const seq = this.nextSeq++;
    const file = join(this.dir, `${String(seq).padStart(16, '0')}.rec`);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, head);
      writeSync(fd, header);
      writeSync(fd, b.payload);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.entries.push({ seq, file, bytes: size });
    this.totalBytes += size;
    this.counters.appendedBatches++;
    this.counters.appendedRows += b.rows;
    return true;
  }

  /** The oldest record, read and checked; a corrupt one is moved aside and the next one returned. */
  peek(): { entry: SpoolEntry; batch: SpoolBatch } | undefined {
    for (;;) {
      const entry = this.entries[0];
      if (!entry) return undefined;
      const batch = this.read(entry.file);
      if (batch) return { entry, batch };
      this.counters.corruptRecords++;
      this.moveAside(entry, 'corrupt');
    }
  }

  /** The newest record (to move a refused batch aside right after appending it). */
  peekLast(): SpoolEntry | undefined {
    return this.entries.at(-1);
  }

  /** Removes the oldest record after the database confirmed it. */
  confirm(entry: SpoolEntry, rows: number): void {
    this.remove(entry);
    rmSync(entry.file, { force: true });
    this.counters.replayedBatches++;
    this.counters.replayedRows += rows;
  }

  /** The database refused the record as invalid: keep it under rejected/ for a person to look at. */
  reject(entry: SpoolEntry): void {
    this.counters.rejectedBatches++;
    this.moveAside(entry, 'rejected');
  }

  private remove(entry: SpoolEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) {
      this.entries.splice(i, 1);
      this.totalBytes -= entry.bytes;
    }
  }

  private moveAside(entry: SpoolEntry, sub: string): void {
    this.remove(entry);
    const d = join(this.dir, sub);
    mkdirSync(d, { recursive: true });
    try {
      renameSync(entry.file, join(d, `${String(entry.seq).padStart(16, '0')}.rec`));
    } catch {
      rmSync(entry.file, { force: true });
    }
  }

  private read(file: string): SpoolBatch | undefined {
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch {
      return undefined;
    }
    if (buf.length < HEAD || buf.readUInt32LE(0) !== MAGIC) return undefined;
    const hl = buf.readUInt32LE(4);
    const pl = buf.readUInt32LE(8);
    if (HEAD + hl + pl !== buf.length) return undefined;
    const header = buf.subarray(HEAD, HEAD + hl);
    const payload = buf.subarray(HEAD + hl);
    if (crc32(payload, crc32(header)) !== buf.readUInt32LE(12)) return undefined;
    try {
      const h = JSON.parse(header.toString('utf8')) as Omit<SpoolBatch, 'payload' | 'format'> & { format?: unknown };
      if (
        typeof h.table !== 'string' ||
        !Array.isArray(h.columns) ||
        typeof h.token !== 'string' ||
        typeof h.rows !== 'number' ||
        (h.format !== undefined && h.format !== 'Native' && h.format !== 'RowBinary')
      )
        return undefined;
      return { ...h, format: h.format ?? 'RowBinary', payload };
    } catch {
      return undefined;
    }
  }
}
