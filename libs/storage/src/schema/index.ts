export * from './column.js';
export * from './table.js';
export { flows } from './flows.js';
export { frames } from './frames.js';
export { interfaceCounters } from './interface-counters.js';
export { ovsDatapath, ovsPorts, ovsMegaflows } from './ovs.js';
export { inventory } from './inventory.js';
export { collectorHealth } from './collector-health.js';
export { alerts } from './alerts.js';
export { flows1m, flows1h } from './rollups.js';
import { flows } from './flows.js';
import { frames } from './frames.js';
import { interfaceCounters } from './interface-counters.js';
import { ovsDatapath, ovsPorts, ovsMegaflows } from './ovs.js';
import { inventory } from './inventory.js';
import { collectorHealth } from './collector-health.js';
import { alerts } from './alerts.js';
import { type RowOf } from './table.js';

/** Tables producers write to (rollups are filled by materialized views). */
export const WRITABLE_TABLES = [
  flows,
  frames,
  interfaceCounters,
  ovsDatapath,
  ovsPorts,
  ovsMegaflows,
  inventory,
  collectorHealth,
  alerts,
] as const;

export type FlowRow = RowOf<typeof flows>;
export type FrameRow = RowOf<typeof frames>;
export type InterfaceCountersRow = RowOf<typeof interfaceCounters>;
export type OvsDatapathRow = RowOf<typeof ovsDatapath>;
export type OvsPortRow = RowOf<typeof ovsPorts>;
export type OvsMegaflowRow = RowOf<typeof ovsMegaflows>;
export type InventoryRow = RowOf<typeof inventory>;
export type CollectorHealthRow = RowOf<typeof collectorHealth>;
export type AlertRow = RowOf<typeof alerts>;

import { flows1m, flows1h } from './rollups.js';
/** Every table, rollups included. */
export const ALL_TABLES = [...WRITABLE_TABLES, flows1m, flows1h] as const;
