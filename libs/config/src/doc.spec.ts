import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from './doc.js';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');

describe(renderConfigDoc.name, () => {
  it('matches docs/configuration.md (UPDATE_DOCS=1 rewrites it)', () => {
    const want = renderConfigDoc();
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, want);
    expect(readFileSync(DOC, 'utf8')).toBe(want);
  });
});
