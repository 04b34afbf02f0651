import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpoolBatch } from './spool.js';

const batch = (i: number, size = 100): SpoolBatch => ({
  table: 'db.t',
  columns: ['a', 'b'],
  token: `tok-${i}`,
  rows: i,
  createdMs: 1,
  format: 'Native',
  payload: Buffer.alloc(size, i),
});

describe(Spool.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nicscope-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives records back oldest first, with token and payload, also after a restart', () => {
    const s = new Spool(dir, 1 << 20);
    for (let i = 1; i <= 3; i++) expect(s.append(batch(i))).toBe(true);
    const again = new Spool(dir, 1 << 20);
    expect(again.batches).toBe(3);
    const first = again.peek()!;
    expect(first.batch.token).toBe('tok-1');
    expect(Buffer.from(first.batch.payload).equals(Buffer.alloc(100, 1))).toBe(true);
    again.confirm(first.entry, first.batch.rows);
    expect(again.peek()!.batch.token).toBe('tok-2');
    // Sequence numbers keep growing after a restart: a new record sorts after the old ones.
    again.append(batch(4));
    const third = new Spool(dir, 1 << 20);
    const tokens: string[] = [];
    for (let p = third.peek(); p; p = third.peek()) {
      tokens.push(p.batch.token);
      third.confirm(p.entry, p.batch.rows);
    }
    expect(tokens).toEqual(['tok-2', 'tok-3', 'tok-4']);
    expect(third.bytes).toBe(0);
  });

  it('drops a batch that does not fit under the cap and counts its rows', () => {
    const s = new Spool(dir, 1000);
    expect(s.append(batch(7, 600))).toBe(true);
    expect(s.append(batch(9, 600))).toBe(false);
    expect(s.counters).toMatchObject({ droppedBatches: 1, droppedRows: 9, appendedBatches: 1 });
    expect(s.batches).toBe(1);
  });

  it('moves a record with a bad checksum to corrupt/ and goes on with the next', () => {
    const s = new Spool(dir, 1 << 20);
    s.append(batch(1));
    s.append(batch(2));
    const f = readdirSync(dir)
      .filter((n) => n.endsWith('.rec'))
      .sort()[0]!;
    const bytes = readFileSync(join(dir, f));
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(join(dir, f), bytes);
    const again = new Spool(dir, 1 << 20);
    expect(again.peek()!.batch.token).toBe('tok-2');
    expect(again.counters.corruptRecords).toBe(1);
    expect(existsSync(join(dir, 'corrupt', f))).toBe(true);
  });

  it('reads a record of an earlier version (no format in its header) as RowBinary', () => {
    const header = Buffer.from(JSON.stringify({ table: 'db.t', columns: ['a'], token: 'old', rows: 1, createdMs: 1 }));
    const payload = Buffer.from([1, 2, 3]);
    const head = Buffer.alloc(16);
    head.write('NSP1', 0, 'latin1');
    head.writeUInt32LE(header.length, 4);
    head.writeUInt32LE(payload.length, 8);
    head.writeUInt32LE(crc32(payload, crc32(header)), 12);
    writeFileSync(join(dir, '0000000000000001.rec'), Buffer.concat([head, header, payload]));
    const s = new Spool(dir, 1 << 20);
    const first = s.peek()!.batch;
    expect([first.token, first.format, Buffer.from(first.payload).toString('hex')]).toEqual([
      'old',
      'RowBinary',
      '010203',
    ]);
    s.append(batch(2));
    const all: string[] = [];
    for (let e = s.peek(); e; e = s.peek()) {
      all.push(e.batch.format);
      s.confirm(e.entry, e.batch.rows);
    }
    expect(all).toEqual(['RowBinary', 'Native']);
  });

  it('ignores a half-written temporary file left by a crash', () => {
    writeFileSync(join(dir, '0000000000000001.rec.tmp'), 'partial');
    const s = new Spool(dir, 1 << 20);
    expect(s.batches).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
