/**
 * The one adapter over @clickhouse/client for every connection: a ClickHouse server over HTTP(S)
 * with user and password, or chDB embedded in this process (chdb/connection passed as the client's
 * `connection`). Services never hold a client; they call this class.
 *
 * Inserts are Native blocks (decisions 0400 and 0403; spool records written before carry RowBinary).
 * Over HTTP the bytes are the request body of `INSERT … FORMAT Native` (client.exec). chDB's
 * connection turns request bodies into UTF-8 text, which would corrupt binary data, so in embedded
 * mode the bytes are staged in a file and inserted with `INSERT … FROM INFILE … FORMAT Native` — the
 * same SQL statement and settings, through the same client.
 *
 * chDB runs the queries of one session one at a time. In embedded mode each table's inserts
 * therefore go through a session of their own (on the same data directory): the inserts of
 * different tables run side by side, and a query (the API's) never waits behind an insert.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { classify, StorageError } from './errors.js';

export interface ClickHouseOptions {
  /** '' = embedded chDB under `dataDir/chdb`. */
  url: string;
  user: string;
  password: string;
  requestTimeoutMs: number;
  dataDir: string;
}

/** Binary insert formats: Native (what the builders write) and RowBinary (older spool records). */
export type InsertFormat = 'Native' | 'RowBinary';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** A client on a new chDB session of the data directory `path`. */
function chdbClient(path: string): ClickHouseClient {
  // chdb types its Connection against its own copy of client-common; the shapes are the same.
  const connection = createChdbConnection({ path }) as unknown as ClientConnection;
  return createClient({ connection });
}

/** chDB binds one data directory per process. */
let chdbPathInUse: string | undefined;
let chdbUsers = 0;

export class ClickHouse {
  readonly kind: 'chdb' | 'http';
  /** Names the database in messages: "embedded chDB at …" / "ClickHouse at http://…". */
  readonly target: string;
  /** The underlying client, for readers that share this connection (the API in embedded mode: one chDB per process). */
  readonly client: ClickHouseClient;
  private readonly stagingDir: string | undefined;
  private stageSeq = 0;
  private closed = false;
  /** Embedded: one chDB session per table inserted into (see the header). */
  private readonly inserters = new Map<string, ClickHouseClient>();

  private constructor(
    kind: 'chdb' | 'http',
    target: string,
    client: ClickHouseClient,
    stagingDir?: string,
    private readonly chdbPath?: string,
  ) {
    this.kind = kind;
    this.target = target;
    this.client = client;
    this.stagingDir = stagingDir;
  }

  /** The client that inserts into `table`: its own chDB session in embedded mode. */
  private inserter(table: string): ClickHouseClient {
    // After close() the main client answers (with its "closed" error): no new session.
    if (this.kind !== 'chdb' || this.closed) return this.client;
    let c = this.inserters.get(table);
    if (!c) {
      c = chdbClient(this.chdbPath!);
      this.inserters.set(table, c);
    }
    return c;
  }

  static open(opts: ClickHouseOptions): ClickHouse {
    if (opts.url === '') {
      const path = resolve(opts.dataDir, 'chdb');
      if (chdbPathInUse !== undefined && chdbPathInUse !== path) {
        throw new StorageError(
          'config',
          `embedded chDB is already open at ${chdbPathInUse} in this process; chDB allows one data directory per process (asked: ${path})`,
          false,
        );
      }
      mkdirSync(path, { recursive: true });
      const staging = resolve(opts.dataDir, 'chdb-staging');
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      const client = chdbClient(path);
      chdbPathInUse = path;
      chdbUsers++;
      return new ClickHouse('chdb', `embedded chDB at ${path}`, client, staging, path);
    }
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new StorageError('config', `clickhouse.url ${JSON.stringify(opts.url)} is not a URL`, false);
    }
    const client = createClient({
      url: opts.url,
      username: opts.user,
      password: opts.password,
      request_timeout: opts.requestTimeoutMs,
      compression: { request: false, response: false },
      // Errors are classified and reported by this adapter and the writers, not printed by the client.
      log: { level: ClickHouseLogLevel.OFF },
      keep_alive: { enabled: true },
    });
    u.password = '';
    u.username = '';
    return new ClickHouse('http', `ClickHouse at ${u.origin}`, client);
  }

  /** Checks that the database answers a query; throws a StorageError that says why not. */
  async ping(): Promise<void> {
    await this.query<{ one: number }>('SELECT 1 AS one', 'answering a ping');
  }

  async command(sql: string, settings?: ClickHouseSettings): Promise<void> {
    try {
      await this.client.command({ query: sql, clickhouse_settings: settings });
    } catch (err) {
      throw classify(err, this.target, `running ${sql.split('\n')[0]!.slice(0, 80)}`);
    }
  }

  /**
   * Runs a statement whose settings must not outlive it. chDB applies a statement's settings to its
   * session (`SET …; statement`), which later queries share; in embedded mode the statement runs on
   * a session of its own, closed after it.
   */
  async commandAlone(sql: string, settings: ClickHouseSettings): Promise<void> {
    if (this.kind !== 'chdb') return this.command(sql, settings);
    const c = chdbClient(this.chdbPath!);
    try {
      await c.command({ query: sql, clickhouse_settings: settings });
    } catch (err) {
      throw classify(err, this.target, `running ${sql.split('\n')[0]!.slice(0, 80)}`);
    } finally {
      await c.close();
    }
  }

  async query<T>(sql: string, what = 'running a query'): Promise<T[]> {
    try {
      // Both backends give 64-bit integers as strings (chDB's default differs from the server's).
      const rs = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      });
      return await rs.json<T>();
    } catch (err) {
      throw classify(err, this.target, what);
    }
  }

  /**
   * Inserts encoded bytes (`format`: Native or RowBinary) into `table` (qualified name) with the
   * given columns, carrying the batch's deduplication token so that a retry or a replay of the same
   * batch is a no-op.
   */
  async insert(
    table: string,
    columns: readonly string[],
    format: InsertFormat,
    bytes: Uint8Array,
    token: string,
  ): Promise<void> {
    const cols = columns.map((c) => `\`${c}\``).join(', ');
    // optimize_on_insert = 0: the writer sends the rollups already grouped (decision 0403);
    // collapsing each inserted block again in the rollup table halved the insert rate (decision
    // 0400, with SummingMergeTree rollups then). Merges still sum.
    const settings: ClickHouseSettings = {
      insert_deduplication_token: token,
      insert_deduplicate: 1,
      optimize_on_insert: 0,
      // Native blocks carry LowCardinality columns as String (decision 0403).
      input_format_native_allow_types_conversion: 1,
    };
    const what = `inserting ${bytes.byteLength} bytes into ${table}`;
    if (this.kind === 'chdb') {
      const file = join(this.stagingDir!, `${process.pid}-${++this.stageSeq}.${format.toLowerCase()}`);
      try {
        await writeFile(file, bytes);
        await this.inserter(table).command({
          query: `INSERT INTO ${table} (${cols}) FROM INFILE '${file.replace(/'/g, "\\'")}' FORMAT ${format}`,
          clickhouse_settings: settings,
        });
      } catch (err) {
        throw classify(err, this.target, what);
      } finally {
        await rm(file, { force: true });
      }
      return;
    }
    try {
      const body = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], {
        objectMode: false,
      });
      const res = await this.client.exec({
        query: `INSERT INTO ${table} (${cols}) FORMAT ${format}`,
        values: body,
        clickhouse_settings: settings,
      });
      // The response body is empty; drain it so the socket returns to the pool.
      for await (const _ of res.stream) void _;
    } catch (err) {
      throw classify(err, this.target, what);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.inserters.values()) await c.close();
    this.inserters.clear();
    await this.client.close();
    if (this.kind === 'chdb' && --chdbUsers === 0) chdbPathInUse = undefined;
  }
}
