import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonStreamFramer, OvsJsonError, parseJson, stringifyJson } from './json.js';
import { JsonRpcConnection, JsonRpcError, parseRemote } from './jsonrpc.js';

describe(parseJson.name, () => {
  it('keeps 64-bit integers exact as bigint and reals as numbers', () => {
    const v = parseJson(
      '{"a":18446744073709551615,"b":-9007199254740993,"c":1.5,"d":2e3,"e":[true,false,null,"x\\n\\u00e9"]}',
    );
    expect(v).toEqual({
      a: 18446744073709551615n,
      b: -9007199254740993n,
      c: 1.5,
      d: 2000,
      e: [true, false, null, 'x\né'],
    });
  });

  it('round-trips through stringifyJson', () => {
    const text = '{"id":3,"method":"transact","params":["Open_vSwitch",{"x":[1,2.5,"q\\"uote"]}]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it.each(['{', '{"a":}', '[1,]', '"abc', 'tru', '{"a":1}x', '{"a":"\\q"}', '01'])(
    'throws OvsJsonError for %j',
    (bad) => {
      expect(() => parseJson(bad)).toThrow(OvsJsonError);
    },
  );
});

describe(JsonStreamFramer.name, () => {
  it('cuts concatenated objects without delimiter, with braces inside strings and escaped quotes', () => {
    const f = new JsonStreamFramer();
    const stream = '{"id":1,"result":"a } { \\" ]"}{"id":2,"result":[{"x":"}"}]}  {"id":3}';
    expect(f.push(stream)).toEqual(['{"id":1,"result":"a } { \\" ]"}', '{"id":2,"result":[{"x":"}"}]}', '{"id":3}']);
  });

  it('reassembles a message split at every byte, including inside a multi-byte character', () => {
    const f = new JsonStreamFramer();
    const msg = Buffer.from('{"s":"héllo \\"}\\" wörld","n":12345678901234567890}{"id":2}');
    const got: string[] = [];
    for (let i = 0; i < msg.length; i++) got.push(...f.push(msg.subarray(i, i + 1)));
    expect(got.map((t) => parseJson(t))).toEqual([{ s: 'héllo "}" wörld', n: 12345678901234567890n }, { id: 2n }]);
  });

  it('refuses junk between messages and a message over the size limit', () => {
    expect(() => new JsonStreamFramer().push('{"a":1} x')).toThrow(OvsJsonError);
    expect(() => new JsonStreamFramer(10).push('{"a":"0123456789abc')).toThrow(/larger than 10/);
  });
});

describe(JsonRpcConnection.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-jsonrpc-'));
  const servers: Server[] = [];
  afterAll(() => {
    servers.forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches replies by id, answers echo, delivers notifications and rejects error replies', async () => {
    const path = join(dir, 'a.sock');
    const server = createServer((sock) => {
      // A real socket peer that writes its replies in odd fragments and sends an echo request first.
      sock.write('{"id":"e1","method":"echo","params":[]}');
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('"method":"hello"') && buf.includes('"method":"bad"')) {
          const out =
            '{"id":null,"method":"update2","params":["m",{}]}{"id":2,"result":null,"error":"unknown"}{"id":1,"result":{"big":18446744073709551615},"error":null}';
          sock.write(out.slice(0, 17));
          setTimeout(() => sock.write(out.slice(17)), 10);
        }
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const notes: string[] = [];
    const conn = await JsonRpcConnection.connect(parseRemote(`unix:${path}`), { onNotification: (m) => notes.push(m) });
    const a = conn.request('hello', []);
    const b = conn.request('bad', []);
    await expect(b).rejects.toBeInstanceOf(JsonRpcError);
    await expect(a).resolves.toEqual({ big: 18446744073709551615n });
    expect(notes).toEqual(['update2']);
    conn.close();
    await expect(conn.request('late', [])).rejects.toThrow(/closed/);
  });

  it('talks over a tcp: remote as over a unix socket', async () => {
    const server = createServer((sock) =>
      sock.on('data', () => sock.write('{"id":1,"result":["Open_vSwitch"],"error":null}')),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const conn = await JsonRpcConnection.connect(parseRemote(`tcp:127.0.0.1:${port}`));
    await expect(conn.request('list_dbs', [])).resolves.toEqual(['Open_vSwitch']);
    conn.close();
  });

  it('rejects a pending request when the peer closes, and times out a request without reply', async () => {
    const path = join(dir, 'b.sock');
    const server = createServer((sock) => sock.on('data', (d) => d.toString().includes('"close"') && sock.destroy()));
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const conn = await JsonRpcConnection.connect(parseRemote(path));
    await expect(conn.request('silent', [], 100)).rejects.toThrow(/no reply within 100 ms/);
    await expect(conn.request('close', [])).rejects.toThrow(/connection closed/);
  });

  it('parses unix and tcp remotes and rejects others', () => {
    expect(parseRemote('tcp:127.0.0.1:6640')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6640 });
    expect(parseRemote('tcp:[::1]:6640')).toEqual({ kind: 'tcp', host: '::1', port: 6640 });
    expect(parseRemote('/run/db.sock')).toEqual({ kind: 'unix', path: '/run/db.sock' });
    expect(() => parseRemote('ssl:1.2.3.4:6640')).toThrow(/expected unix:PATH or tcp:HOST:PORT/);
  });
});
