import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@nicscope/config';
import { InProcessLiveBus } from '../live/in-process-bus.js';
import { AuthService } from './auth.service.js';
import { TokenStore } from './token-store.js';

describe(AuthService.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const make = (): AuthService => {
    const { config } = loadConfig({ NICSCOPE_DATA_DIR: dir });
    return new AuthService({ config, clickhouse: undefined as never, live: new InProcessLiveBus() });
  };

  it('creates an admin token at the first start only, and stores only its hash, in a 0600 file', () => {
    const first = make();
    expect(first.firstStartToken).toMatch(/^nsc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const file = join(dir, 'api-tokens.json');
    const text = readFileSync(file, 'utf8');
    const secret = first.firstStartToken!.split('_').slice(2).join('_');
    expect(text).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = make();
    expect(second.firstStartToken).toBeUndefined();
    expect(second.verify(first.firstStartToken)).toMatchObject({ role: 'admin', name: 'first-start admin' });
  });

  it('verifies, distinguishes roles and forgets revoked tokens, also after a reload', () => {
    const auth = make();
    const { token, id } = auth.create('grafana', 'viewer');
    expect(auth.verify(token)).toEqual({ tokenId: id, name: 'grafana', role: 'viewer' });
    expect(auth.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(auth.verify('Bearer ' + token)).toBeNull();
    expect(auth.verify(undefined)).toBeNull();
    expect(new TokenStore(join(dir, 'api-tokens.json')).verify(token)?.role).toBe('viewer');
    expect(auth.store.revoke(id)).toBe(true);
    expect(auth.verify(token)).toBeNull();
    expect(new TokenStore(join(dir, 'api-tokens.json')).verify(token)).toBeNull();
  });

  it('reads the token from the bearer header or the WebSocket subprotocol, never the URL', () => {
    const auth = make();
    const req = (headers: Record<string, string>, url = '/ws'): never => ({ headers, url }) as never;
    expect(auth.tokenFrom(req({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(auth.tokenFrom(req({ 'sec-websocket-protocol': 'nicscope, nicscope.token.xyz' }))).toBe('xyz');
    expect(auth.tokenFrom(req({}, '/ws?token=abc'))).toBeUndefined();
    expect(auth.tokenFrom(req({ authorization: 'Basic abc' }))).toBeUndefined();
  });

  it('refuses a token file that is not one', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version":2}');
    expect(() => new TokenStore(bad)).toThrow(/not a nicscope token file/);
  });
});
