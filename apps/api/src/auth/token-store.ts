/**
 * API tokens, hashed at rest in one JSON file (mode 0600) under dataDir. A token reads
 * `nsc_<id>_<secret>`: the id (8 hex) finds the entry, SHA-256 of the 32-byte random secret is
 * compared in constant time. The clear token is shown once, when it is created.
 * Decision record: docs/decisions/0501-api-tokens-in-a-file.md.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Role = 'viewer' | 'admin';

export interface TokenEntry {
  id: string;
  name: string;
  role: Role;
  /** hex SHA-256 of the secret part */
  sha256: string;
  createdAt: string;
}

export interface AuthInfo {
  tokenId: string;
  name: string;
  role: Role;
}

interface TokenFile {
  version: 1;
  tokens: TokenEntry[];
}

const TOKEN_RE = /^nsc_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class TokenStore {
  private tokens = new Map<string, TokenEntry>();

  constructor(readonly path: string) {
    this.load();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const data = JSON.parse(text) as TokenFile;
    if (data.version !== 1 || !Array.isArray(data.tokens))
      throw new Error(`${this.path}: not a nicscope token file (version 1)`);
    this.tokens = new Map(data.tokens.map((t) => [t.id, t]));
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const body: TokenFile = { version: 1, tokens: [...this.tokens.values()] };
    writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  list(): TokenEntry[] {
    return [...this.tokens.values()];
  }

  hasAdmin(): boolean {
    for (const t of this.tokens.values()) if (t.role === 'admin') return true;
    return false;
  }

  /** Creates a token and returns it in clear (the only time it exists in clear). */
  create(name: string, role: Role): { token: string; entry: TokenEntry } {
    let id: string;
    do id = randomBytes(4).toString('hex');
    while (this.tokens.has(id));
    const secret = randomBytes(32).toString('base64url');
    const entry: TokenEntry = {
      id,
      name,
      role,
      sha256: sha256(secret).toString('hex'),
      createdAt: new Date().toISOString(),
    };
    this.tokens.set(id, entry);
    this.save();
    return { token: `nsc_${id}_${secret}`, entry };
  }

  revoke(id: string): boolean {
    const ok = this.tokens.delete(id);
    if (ok) this.save();
    return ok;
  }

  verify(token: string | undefined): AuthInfo | null {
    if (!token) return null;
    const m = TOKEN_RE.exec(token);
    if (!m) return null;
    const entry = this.tokens.get(m[1]!);
    if (!entry) return null;
    const want = Buffer.from(entry.sha256, 'hex');
    const got = sha256(m[2]!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return { tokenId: entry.id, name: entry.name, role: entry.role };
  }
}
