import { describe, expect, it } from 'vitest';
import { allKeys, ConfigError, defaultConfig, loadConfig } from './load.js';
import { Invalid } from './keys.js';

/** A value each kind of key must refuse. */
function badValueFor(expected: string): string {
  if (expected.startsWith('an integer')) return 'abc';
  if (expected.startsWith('true or false')) return 'maybe';
  if (expected.startsWith('one of')) return 'no-such-choice';
  return '\u0000bad value\u0000';
}

describe(loadConfig.name, () => {
  it('validates the defaults: an empty environment gives the embedded mode', () => {
    const { config, sources } = loadConfig({});
    expect(config.clickhouse.url).toBe('');
    expect(config.dataDir).toBe('./data');
    expect(config.api.host).toBe('127.0.0.1');
    expect([...sources.values()].every((s) => s === 'default')).toBe(true);
    for (const [path, key] of allKeys()) expect(key.parse(key.default), path).not.toBeInstanceOf(Invalid);
  });

  it('freezes the returned object', () => {
    const cfg = defaultConfig();
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.storage)).toBe(true);
  });

  it('names the key, the value and what is accepted', () => {
    expect(() => loadConfig({ NICSCOPE_FLUSH_ROWS: 'abc' })).toThrow(
      'NICSCOPE_FLUSH_ROWS="abc": expected an integer 1..1000000',
    );
  });

  it('rejects a bad value for every key that can be wrong', () => {
    for (const [path, key] of allKeys()) {
      const bad = badValueFor(key.expected);
      if (key.expected === 'a string') continue; // free text (passwords, paths, BPF filters) has no wrong value
      let err: unknown;
      try {
        loadConfig({ [key.env]: bad });
      } catch (e) {
        err = e;
      }
      expect(err, `${path} accepted ${JSON.stringify(bad)}`).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0]).toContain(key.env);
      expect((err as ConfigError).problems[0]).toContain(`expected ${key.expected}`);
    }
  });

  it('rejects an integer out of range and a non-integer', () => {
    expect(() => loadConfig({ NICSCOPE_API_PORT: '70000' })).toThrow(/expected an integer 0..65535/);
    expect(() => loadConfig({ NICSCOPE_API_PORT: '80.5' })).toThrow(ConfigError);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ NICSCOPE_FLUSH_ROWS: '0', NICSCOPE_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });

  it('takes a file, lets the environment override it, and says where each value came from', () => {
    const file = { path: 'n.yaml', data: { storage: { flushRows: 1000 }, api: { port: 9000 } } };
    const { config, sources } = loadConfig({ NICSCOPE_API_PORT: '9001' }, file);
    expect(config.storage.flushRows).toBe(1000);
    expect(config.api.port).toBe(9001);
    expect(sources.get('storage.flushRows')).toBe('file n.yaml');
    expect(sources.get('api.port')).toBe('env NICSCOPE_API_PORT');
    expect(sources.get('dataDir')).toBe('default');
  });

  it('rejects unknown and badly typed keys in a file', () => {
    expect(() => loadConfig({}, { path: 'n.yaml', data: { storage: { flushRow: 5 } } })).toThrow(
      'n.yaml: unknown key "storage.flushRow"',
    );
    expect(() => loadConfig({}, { path: 'n.yaml', data: { capture: { promisc: 'sometimes' } } })).toThrow(
      'capture.promisc="sometimes" (in n.yaml): expected true or false',
    );
    expect(() => loadConfig({}, { path: 'n.yaml', data: [1, 2] })).toThrow('expected a mapping');
  });

  it('parses lists from the environment and from files', () => {
    expect(loadConfig({ NICSCOPE_CAPTURE_INTERFACES: 'eth*, br0' }).config.capture.interfaces).toEqual(['eth*', 'br0']);
    expect(
      loadConfig({}, { path: 'f', data: { capture: { exclude: ['lo', 'docker*'] } } }).config.capture.exclude,
    ).toEqual(['lo', 'docker*']);
    expect(() => loadConfig({ NICSCOPE_CAPTURE_KINDS: 'veth,wormhole' })).toThrow(
      /NICSCOPE_CAPTURE_KINDS="veth,wormhole"/,
    );
  });
});
