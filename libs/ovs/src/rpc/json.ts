/**
 * JSON for OVS JSON-RPC streams: a parser that keeps every integer literal as a `bigint` (OVSDB
 * integers are 64-bit and must not be rounded), and a framer that cuts a byte stream of
 * concatenated JSON values (no delimiter, as OVSDB and unixctl send them) by brace depth,
 * string-aware. Both are tolerant: bad input gives an `OvsJsonError`, never a crash of the caller.
 */
import { StringDecoder } from 'node:string_decoder';

export type JsonValue = null | boolean | bigint | number | string | JsonValue[] | { [k: string]: JsonValue };

export class OvsJsonError extends Error {
  override name = 'OvsJsonError';
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Parses one JSON text. Integer literals become bigint; literals with a fraction or exponent become number. */
export function parseJson(text: string): JsonValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) throw new OvsJsonError(`unexpected trailing data at ${p.pos}`);
  return v;
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.pos < this.s.length && WS.has(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private fail(what: string): never {
    throw new OvsJsonError(`${what} at offset ${this.pos}`);
  }

  value(depth: number): JsonValue {
    if (depth > 256) this.fail('nesting too deep');
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.word('true', true);
      case 'f':
        return this.word('false', false);
      case 'n':
        return this.word('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private word<T extends JsonValue>(w: string, v: T): T {
    if (this.s.startsWith(w, this.pos)) {
      this.pos += w.length;
      return v;
    }
    return this.fail('bad literal');
  }

  private number(): bigint | number {
    const m = NUMBER;
    m.lastIndex = this.pos;
    const r = m.exec(this.s);
    if (!r) return this.fail('bad number');
    this.pos += r[0].length;
    return r[1] === undefined && r[2] === undefined ? BigInt(r[0]) : Number(r[0]);
  }

  private string(): string {
    const s = this.s;
    // Fast path: no escape before the closing quote.
    const q = s.indexOf('"', this.pos + 1);
    if (q > 0) {
      let k = this.pos + 1;
      while (k < q && s.charCodeAt(k) !== 0x5c) k++;
      if (k === q) {
        const out = s.slice(this.pos + 1, q);
        this.pos = q + 1;
        return out;
      }
    }
    let i = this.pos + 1;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        this.fail('unterminated string');
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s[i + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const hex = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.pos = i;
              this.fail('bad \\u escape');
            }
            out += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            break;
          }
          default:
            this.pos = i;
            this.fail('bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  }

  private array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  private object(depth: number): { [k: string]: JsonValue } {
    this.pos++;
    const out: { [k: string]: JsonValue } = Object.create(null) as { [k: string]: JsonValue };
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected a key');
      const k = this.string();
      this.ws();
      if (this.s[this.pos++] !== ':') this.fail('expected :');
      this.ws();
      out[k] = this.value(depth + 1);
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }
}

/** Serialises a value; bigint becomes a bare integer literal (what OVSDB expects). */
export function stringifyJson(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    default:
      if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
      return `{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}:${stringifyJson(x)}`)
        .join(',')}}`;
  }
}

/**
 * Cuts a stream of concatenated JSON objects/arrays into complete texts. Feed it chunks; it returns
 * the complete texts found so far. Each character is scanned once and an unfinished message is kept
 * as a list of pieces (no re-copying per chunk). A message larger than `maxChars` is an error: the
 * caller closes the connection (a peer that never closes a brace cannot make us buffer forever).
 */
export class JsonStreamFramer {
  private readonly decoder = new StringDecoder('utf8');
  private pieces: string[] = [];
  private pendingChars = 0;
  private depth = 0;
  private inString = false;
  private escape = false;

  constructor(private readonly maxChars = 64 * 1024 * 1024) {}

  push(chunk: Buffer | string): string[] {
    const s = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: string[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) {
        if (this.depth === 0) this.fail('a string outside an object');
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (this.depth === 0) start = i;
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) this.fail('unbalanced closing bracket');
        this.depth--;
        if (this.depth === 0) {
          const last = s.slice(start, i + 1);
          out.push(this.pieces.length ? this.pieces.join('') + last : last);
          this.pieces = [];
          this.pendingChars = 0;
          start = -1;
        }
      } else if (this.depth === 0 && !WS.has(c)) {
        this.fail(`unexpected ${JSON.stringify(s[i])} between messages`);
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = s.slice(start);
      this.pieces.push(rest);
      this.pendingChars += rest.length;
      if (this.pendingChars > this.maxChars) this.fail(`message larger than ${this.maxChars} characters`);
    }
    return out;
  }

  private fail(what: string): never {
    this.reset();
    throw new OvsJsonError(`JSON stream: ${what}`);
  }

  reset(): void {
    this.pieces = [];
    this.pendingChars = 0;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
  }
}
