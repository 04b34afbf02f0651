/**
 * Typed configuration keys. A key knows its environment variable, its default, how to parse a raw
 * value (a string from the environment, or any YAML/JSON value from a file) and how to say what it
 * accepts. Parsing returns a value or an `Invalid` with the accepted-values text; it never throws.
 */
export class Invalid {
  constructor(readonly expected: string) {}
}

export interface Key<T> {
  readonly env: string;
  readonly default: T;
  readonly doc: string;
  /** What is accepted, in words: "an integer 1..1000000". */
  readonly expected: string;
  parse(raw: unknown): T | Invalid;
}

function key<T>(env: string, def: T, doc: string, expected: string, parse: (raw: unknown) => T | undefined): Key<T> {
  return {
    env,
    default: def,
    doc,
    expected,
    parse: (raw) => {
      const v = parse(raw);
      return v === undefined ? new Invalid(expected) : v;
    },
  };
}

export function int(env: string, def: number, min: number, max: number, doc: string): Key<number> {
  return key(env, def, doc, `an integer ${min}..${max}`, (raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  });
}

export function bool(env: string, def: boolean, doc: string): Key<boolean> {
  return key(env, def, doc, 'true or false (also 1/0, yes/no, on/off)', (raw) => {
    if (typeof raw === 'boolean') return raw;
    const s = typeof raw === 'string' ? raw.trim().toLowerCase() : typeof raw === 'number' ? String(raw) : '';
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    return undefined;
  });
}

export function oneOf<const V extends string>(env: string, def: V, values: readonly V[], doc: string): Key<V> {
  return key(env, def, doc, `one of ${values.join(', ')}`, (raw) =>
    typeof raw === 'string' && (values as readonly string[]).includes(raw.trim()) ? (raw.trim() as V) : undefined,
  );
}

export function str(
  env: string,
  def: string,
  doc: string,
  opts: { pattern?: RegExp; expected?: string } = {},
): Key<string> {
  return key(env, def, doc, opts.expected ?? 'a string', (raw) => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
    const s = String(raw);
    return !opts.pattern || opts.pattern.test(s) ? s : undefined;
  });
}

/** A comma-separated list in the environment, an array (or a comma-separated string) in a file. */
export function list(
  env: string,
  def: readonly string[],
  doc: string,
  opts: { item?: RegExp; expected?: string } = {},
): Key<readonly string[]> {
  return key(env, def, doc, opts.expected ?? 'a comma-separated list', (raw) => {
    const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : undefined;
    if (!items) return undefined;
    const out = items.map((s) => s.trim()).filter((s) => s.length > 0);
    return opts.item && !out.every((s) => opts.item!.test(s)) ? undefined : Object.freeze(out);
  });
}

/** The value type of a spec tree: leaves are keys, branches are objects. */
export type ConfigOf<S> = S extends Key<infer T> ? T : { readonly [K in keyof S]: ConfigOf<S[K]> };

export function isKey(x: unknown): x is Key<unknown> {
  return typeof x === 'object' && x !== null && 'env' in x && 'parse' in x;
}
