/**
 * Every migration, in order. Files are never renumbered; add the next number. (One exception:
 * 0010/0011 no longer create the rollup views that 0013 drops, and 0016 leaves alone a rollup table
 * that already has a wide-part threshold, which 0017 raises — a step that set up what a later step
 * changes would never converge.)
 */
import { type Migration } from './migration.js';
import m0001 from './0001-create-flows.js';
import m0002 from './0002-create-frames.js';
import m0003 from './0003-create-interface-counters.js';
import m0004 from './0004-create-ovs-datapath.js';
import m0005 from './0005-create-ovs-ports.js';
import m0006 from './0006-create-ovs-megaflows.js';
import m0007 from './0007-create-inventory.js';
import m0008 from './0008-create-collector-health.js';
import m0009 from './0009-create-alerts.js';
import m0010 from './0010-create-flows-1m.js';
import m0011 from './0011-create-flows-1h.js';
import m0012 from './0012-modify-ttl.js';
import m0013 from './0013-drop-rollup-views.js';
import m0014 from './0014-modify-merge-selector.js';
import m0015 from './0015-convert-rollup-engine.js';
import m0016 from './0016-modify-wide-part-rows.js';
import m0017 from './0017-modify-rollup-part-format.js';
import m0018 from './0018-add-flows-ether-type.js';
import m0019 from './0019-modify-merge-selector-30.js';

export const MIGRATIONS: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
  m0010,
  m0011,
  m0012,
  m0013,
  m0014,
  m0015,
  m0016,
  m0017,
  m0018,
  m0019,
];

export * from './migration.js';
export * from './runner.js';
