/**
 * loadConfig: parse, apply defaults, validate, freeze. Pure: the environment and the file's parsed
 * contents are arguments (readConfigFile does the I/O). Precedence: environment > file > default.
 */
import { Invalid, isKey, type Key } from './keys.js';
import { SPEC, type NicscopeConfig } from './spec.js';

export type Source = 'default' | `env ${string}` | `file ${string}`;

export interface LoadedConfig {
  readonly config: NicscopeConfig;
  /** Where each dotted key's value came from. */
  readonly sources: ReadonlyMap<string, Source>;
}

export interface ConfigFile {
  path: string;
  data: unknown;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Every key, by dotted path (`storage.flushRows`), in declaration order. */
export function allKeys(spec: object = SPEC, prefix = ''): Array<[string, Key<unknown>]> {
  const out: Array<[string, Key<unknown>]> = [];
  for (const [name, node] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (isKey(node)) out.push([path, node]);
    else out.push(...allKeys(node as object, path));
  }
  return out;
}

function fileValue(data: unknown, path: string): { found: boolean; value: unknown } {
  let node: unknown = data;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[part];
  }
  return { found: true, value: node };
}

function unknownFileKeys(data: unknown, spec: object, prefix: string, out: string[]): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  for (const [k, v] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const node = (spec as Record<string, unknown>)[k];
    if (node === undefined) out.push(path);
    else if (!isKey(node)) unknownFileKeys(v, node as object, path, out);
  }
}

function show(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>, file?: ConfigFile): LoadedConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const sources = new Map<string, Source>();
  if (file) {
    if (typeof file.data !== 'object' || file.data === null || Array.isArray(file.data)) {
      if (file.data !== null && file.data !== undefined)
        problems.push(`${file.path}: expected a mapping of keys at the top level`);
    } else {
      const unknown: string[] = [];
      unknownFileKeys(file.data, SPEC, '', unknown);
      for (const u of unknown)
        problems.push(`${file.path}: unknown key "${u}" (run \`nicscope config\` to list the keys)`);
    }
  }
  for (const [path, k] of allKeys()) {
    let value: unknown = k.default;
    let source: Source = 'default';
    const fv = file ? fileValue(file.data, path) : { found: false, value: undefined };
    if (file && fv.found) {
      const v = k.parse(fv.value);
      if (v instanceof Invalid) problems.push(`${path}=${show(fv.value)} (in ${file.path}): expected ${v.expected}`);
      else {
        value = v;
        source = `file ${file.path}`;
      }
    }
    const raw = env[k.env];
    if (raw !== undefined) {
      const v = k.parse(raw);
      if (v instanceof Invalid) problems.push(`${k.env}=${show(raw)}: expected ${v.expected}`);
      else {
        value = v;
        source = `env ${k.env}`;
      }
    }
    setPath(out, path, value);
    sources.set(path, source);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: deepFreeze(out) as unknown as NicscopeConfig, sources };
}

/** The embedded-mode defaults, as loadConfig({}) returns them. */
export function defaultConfig(): NicscopeConfig {
  return loadConfig({}).config;
}
