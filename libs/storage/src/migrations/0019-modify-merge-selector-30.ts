/**
 * The flow tables merge with `merge_selector_base = 30` (0014 set 10; ClickHouse's default is 5):
 * a merge takes in about three times as many similar-sized parts, so a row is rewritten about
 * log₃₀ instead of log₁₀ times on its way to a large part (a third fewer rewrites over a day), at
 * the price of more parts between merges (tens, not hundreds: the selector lowers the base for
 * parts as they age). In the collector bench's long window the merges were the largest part of
 * the worst case's CPU and grew with the window (decision 0414). Servers without the setting are
 * left as they are. 0014 leaves alone a table that already has a base, so the two converge.
 */
import { flows, flows1h, flows1m } from '../schema/index.js';
import { localName } from '../schema/ddl.js';
import { type Migration } from './migration.js';
import { modifySetting } from './setting.js';

export const FLOW_MERGE_SELECTOR_BASE = 30;

const migration: Migration = {
  version: 19,
  name: 'modify-merge-selector-30',
  async up(ctx) {
    let applied = false;
    for (const t of [flows, flows1m, flows1h])
      if (await modifySetting(ctx, localName(t, ctx.ddl), 'merge_selector_base', FLOW_MERGE_SELECTOR_BASE))
        applied = true;
    return applied ? 'applied' : 'skipped';
  },
};
export default migration;
