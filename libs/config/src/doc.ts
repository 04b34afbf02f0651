/** docs/configuration.md, rendered from the key table (kept in sync by doc.spec.ts). */
import { allKeys } from './load.js';

export function renderConfigDoc(): string {
  const lines = [
    '# Configuration',
    '',
    'Generated from `libs/config/src/spec.ts` (regenerate: `UPDATE_DOCS=1 npx vitest run libs/config/src/doc.spec.ts`).',
    '',
    'Every key can be set by its environment variable or, by its dotted path, in a YAML/JSON file given with',
    '`nicscope --config FILE`. The environment wins over the file, the file over the default. The defaults',
    'run the embedded mode with no configuration at all. `nicscope config` prints the effective values and',
    'where each came from.',
    '',
    '| key | environment | default | meaning | accepts |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [path, k] of allKeys()) {
    lines.push(`| \`${path}\` | \`${k.env}\` | \`${JSON.stringify(k.default)}\` | ${k.doc} | ${k.expected} |`);
  }
  return lines.join('\n') + '\n';
}
