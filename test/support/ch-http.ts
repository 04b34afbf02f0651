/**
 * A real ClickHouse-compatible HTTP endpoint for tests, and a TCP proxy in front of it that a test
 * can cut and restore.
 *
 * The server is a child process running the ClickHouse engine (chDB, one data directory per
 * process) behind a small HTTP server that implements what @clickhouse/client uses: GET /ping;
 * POST/GET with the SQL in the body or in the `query` parameter; `database`, `query_id`,
 * `default_format` and any other parameter as a setting; the request body as the data of an INSERT
 * (written to a file and inserted with FROM INFILE, so binary formats such as RowBinary arrive
 * intact); Basic or X-ClickHouse-User/Key authentication, answered like ClickHouse
 * (`Code: 516. DB::Exception: …(AUTHENTICATION_FAILED)`); errors as `Code: N. DB::Exception: …`
 * with X-ClickHouse-Exception-Code. Requests run one at a time. The child exits when its stdin
 * closes, so a killed test leaves no server behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER_SOURCE = String.raw`
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
const [root, dataDir, user, password] = process.argv.slice(2);
const require = createRequire(join(root, 'package.json'));
const { Session } = require('chdb');
mkdirSync(dataDir, { recursive: true });
const session = new Session(join(dataDir, 'chdb'));
const tmp = join(dataDir, 'bodies');
mkdirSync(tmp, { recursive: true });
const CLIENT_PARAMS = new Set(['query', 'database', 'query_id', 'default_format', 'session_id', 'session_timeout', 'session_check', 'user', 'password', 'enable_http_compression', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms', 'wait_end_of_query', 'role']);
let chain = Promise.resolve();
let seq = 0;
const lit = (v) => /^-?\d+(\.\d+)?$/.test(v) ? v : "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
function fail(res, status, code, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) });
  res.end(text.endsWith('\n') ? text : text + '\n');
}
async function handle(req, res, body) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/ping') { res.writeHead(200); res.end('Ok.\n'); return; }
  let u = 'default', p = '';
  const auth = req.headers['authorization'];
  if (typeof auth === 'string' && auth.startsWith('Basic ')) {
    const s = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = s.indexOf(':'); u = s.slice(0, i); p = s.slice(i + 1);
  } else if (req.headers['x-clickhouse-user'] !== undefined) {
    u = String(req.headers['x-clickhouse-user']); p = String(req.headers['x-clickhouse-key'] ?? '');
  } else if (url.searchParams.has('user')) { u = url.searchParams.get('user'); p = url.searchParams.get('password') ?? ''; }
  if (u !== user || p !== password) {
    fail(res, 401, 516, 'Code: 516. DB::Exception: ' + u + ': Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 26.7.2.1)');
    return;
  }
  const qp = url.searchParams.get('query');
  let sql = qp ?? body.toString('utf8');
  let file;
  if (qp !== null && body.length > 0) {
    const m = /\bFORMAT\s+(\w+)\s*$/i.exec(qp);
    if (!m) { fail(res, 400, 62, 'Code: 62. DB::Exception: request body without FORMAT in the query (SYNTAX_ERROR)'); return; }
    file = join(tmp, process.pid + '-' + (++seq) + '.body');
    writeFileSync(file, body);
    sql = qp.slice(0, m.index) + "FROM INFILE '" + file + "' FORMAT " + m[1];
  }
  const sets = [];
  for (const [k, v] of url.searchParams) {
    if (CLIENT_PARAMS.has(k) || k.startsWith('param_')) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue;
    sets.push('SET ' + k + ' = ' + lit(v));
  }
  const db = url.searchParams.get('database');
  if (db) sets.push('USE ' + '\x60' + db.replace(/\x60/g, '') + '\x60');
  const full = sets.length ? sets.join('; ') + '; ' + sql : sql;
  const format = url.searchParams.get('default_format') ?? 'TabSeparated';
  const qid = url.searchParams.get('query_id') ?? String(seq);
  try {
    const r = await session.queryAsync(full, { format });
    const out = r.bytes();
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Query-Id': qid,
      'X-ClickHouse-Summary': JSON.stringify({ read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0' }) });
    res.end(Buffer.from(out));
  } catch (e) {
    const code = e.clickhouseCode ?? 1001;
    const msg = String(e.message ?? e);
    fail(res, 500, code, /^Code: \d+/.test(msg) ? msg : 'Code: ' + code + '. DB::Exception: ' + msg);
  } finally {
    if (file) rmSync(file, { force: true });
  }
}
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    chain = chain.then(() => handle(req, res, body)).catch((e) => { try { fail(res, 500, 1001, 'Code: 1001. DB::Exception: ' + e); } catch {} });
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => { process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'); });
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export interface ChHttpOptions {
  /** Folder of the server's chDB data. */
  dataDir: string;
  user?: string;
  password?: string;
}

const ROOT = resolve(__dirname, '..', '..');

/** The HTTP ClickHouse server child process. */
export class ChHttpServer {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(opts: ChHttpOptions): Promise<ChHttpServer> {
    mkdirSync(opts.dataDir, { recursive: true });
    const script = join(opts.dataDir, 'ch-http-server.mjs');
    writeFileSync(script, SERVER_SOURCE);
    const child = spawn(process.execPath, [script, ROOT, opts.dataDir, opts.user ?? 'default', opts.password ?? ''], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<number>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`ch-http server did not start in 30 s: ${stderr}`)), 30_000);
      const rl = createInterface({ input: child.stdout });
      rl.once('line', (line) => {
        clearTimeout(t);
        res((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        rej(new Error(`ch-http server exited (${String(code)}): ${stderr}`));
      });
    });
    return new ChHttpServer(child, port);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of a port. `cut()` closes the listener and every connection (the
 * database "disappears": connection refused, in-flight requests reset); `restore()` listens again on
 * the same port. `swallowResponses(n)` forwards the next n requests but drops their answers and
 * resets the connection (the database did the work, the client never hears of it).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private swallow = 0;
  port = 0;

  constructor(readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((client) => this.onConnection(client));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  private onConnection(client: Socket): void {
    const upstream = new Socket();
    this.sockets.add(client);
    this.sockets.add(upstream);
    let swallowing = false;
    client.on('data', (d: Buffer) => {
      if (!swallowing && this.swallow > 0 && /^(POST|GET) /.test(d.subarray(0, 5).toString('latin1'))) {
        this.swallow--;
        swallowing = true;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (swallowing) {
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
    upstream.connect(this.targetPort, '127.0.0.1');
  }

  swallowResponses(n: number): void {
    this.swallow = n;
  }

  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }
}
