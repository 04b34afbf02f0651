/**
 * The one adapter over @clickhouse/client for every connection: a ClickHouse server over HTTP(S)
 * with user and password, or chDB embedded in this process (chdb/connection passed as the client's
 * `connection`). Services never hold a client; they call this class.
 *
 * Inserts are Native blocks (decisions 0400 and 0403; spool records written before carry RowBinary).
 * Over HTTP the bytes are the request body of `INSERT … FORMAT Native` (client.exec). chDB's
 * connection turns request bodies into UTF-8 text, which would corrupt binary data, so in embedded
 * mode the bytes are staged in a file and inserted with `INSERT … FROM INFILE … FORMAT Native` — the
 * same SQL statement and settings, through the same client. Each table has one staging file,
 * rewritten in place and cut to the batch's length for each insert (decision 0410): a new file per
 * batch cost its page-cache pages and file creation each time: a fifth to a third of the writer's time.
 *
 * chDB runs the queries of one session one at a time. In embedded mode each table's inserts
 * therefore go through a session of their own (on the same data directory): the inserts of
 * different tables run side by side, and a query (the API's) never waits behind an insert.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { open, rm, writeFile, type FileHandle } from 'node:fs/promises';
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

/** The staging file of one table's inserts (embedded mode), kept open and rewritten in place. */
interface Stage {
  path: string;
  handle: FileHandle | undefined;
  /** An insert of this table is using the file: another one (a replay beside the writer) stages a file of its own. */
  busy: boolean;
}

/** Closes a stage's file handle (errors ignored: the file is written again or removed next). */
async function dropHandle(stage: Stage): Promise<void> {
  const h = stage.handle;
  stage.handle = undefined;
  await h?.close().catch(() => undefined);
}

/** chDB binds one data directory per process. */
let chdbPathInUse: string | undefined;
let chdbUsers = 0;
/** Numbers the embedded adapters of this process: their staging files must not meet. */
let chdbOpens = 0;

export class ClickHouse {
  readonly kind: 'chdb' | 'http';
  /** Names the database in messages: "embedded chDB at …" / "ClickHouse at http://…". */
  readonly target: string;
  /** The underlying client, for readers that share this connection (the API in embedded mode: one chDB per process). */
  readonly client: ClickHouseClient;
  /** Embedded: the path prefix of this adapter's staging files (`<dataDir>/chdb-staging/<pid>-<n>`). */
  private readonly stagingPrefix: string | undefined;
  private stageSeq = 0;
  private closed = false;
  /** Embedded: one chDB session per table inserted into (see the header). */
  private readonly inserters = new Map<string, ClickHouseClient>();
  /** Embedded: the staging file of each table inserted into. */
  private readonly stages = new Map<string, Stage>();

  private constructor(
    kind: 'chdb' | 'http',
    target: string,
    client: ClickHouseClient,
    stagingPrefix?: string,
    private readonly chdbPath?: string,
  ) {
    this.kind = kind;
    this.target = target;
    this.client = client;
    this.stagingPrefix = stagingPrefix;
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
      // chDB locks the directory: a second process on it is refused here, before it could touch
      // the staging files of the one that holds it.
      let client: ClickHouseClient;
      try {
        client = chdbClient(path);
      } catch (err) {
        throw new StorageError(
          'config',
          // chDB prints the engine's reason (a lock held by another process) itself; the error
          // only says that no connection was made.
          `embedded chDB at ${path} cannot be opened (${err instanceof Error ? err.message : String(err)}); is another nicscope process using the data directory ${resolve(opts.dataDir)}?`,
          false,
        );
      }
      const staging = resolve(opts.dataDir, 'chdb-staging');
      // Files left by an earlier process go; not those of an adapter of this process still open.
      if (chdbUsers === 0) rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      chdbPathInUse = path;
      chdbUsers++;
      return new ClickHouse(
        'chdb',
        `embedded chDB at ${path}`,
        client,
        join(staging, `${process.pid}-${++chdbOpens}`),
        path,
      );
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
      let stage = this.stages.get(table);
      if (!stage) {
        stage = {
          path: `${this.stagingPrefix!}-table${this.stages.size + 1}`,
          handle: undefined,
          busy: false,
        };
        this.stages.set(table, stage);
      }
      const own = stage.busy ? undefined : stage;
      const file = own?.path ?? `${this.stagingPrefix!}-${++this.stageSeq}.${format.toLowerCase()}`;
      try {
        if (own) {
          own.busy = true;
          await this.rewrite(own, bytes);
        } else await writeFile(file, bytes);
        await this.inserter(table).command({
          query: `INSERT INTO ${table} (${cols}) FROM INFILE '${file.replace(/'/g, "\\'")}' FORMAT ${format}`,
          clickhouse_settings: settings,
        });
      } catch (err) {
        throw classify(err, this.target, what);
      } finally {
        if (own) own.busy = false;
        else await rm(file, { force: true });
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

  /** Writes `bytes` over a staging file from its start and cuts the file to their length. */
  private async rewrite(stage: Stage, bytes: Uint8Array): Promise<void> {
    try {
      // A file removed under the open handle (by hand, or by a cleanup) is made again.
      if (stage.handle && !existsSync(stage.path)) await dropHandle(stage);
      stage.handle ??= await open(stage.path, 'w+');
      for (let o = 0; o < bytes.byteLength;) {
        const { bytesWritten } = await stage.handle.write(bytes, o, bytes.byteLength - o, o);
        o += bytesWritten;
      }
      await stage.handle.truncate(bytes.byteLength);
    } catch (err) {
      // A handle that failed (disk full, file removed) is opened again by the next insert.
      await dropHandle(stage);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.inserters.values()) await c.close();
    this.inserters.clear();
    for (const s of this.stages.values()) {
      await dropHandle(s);
      await rm(s.path, { force: true });
    }
    this.stages.clear();
    await this.client.close();
    if (this.kind === 'chdb' && --chdbUsers === 0) chdbPathInUse = undefined;
  }
}
