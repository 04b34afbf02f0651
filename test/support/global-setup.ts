/**
 * vitest global setup: removes leftovers of killed runs, then registers this run so that its
 * resources are named from its id and can be found again if it is killed.
 */
import { rmSync } from 'node:fs';
import { newRunId, registerRun, runDir } from './run.js';
import { sweepDeadRuns } from './sweep.js';

export default async function setup(): Promise<() => Promise<void>> {
  const swept = await sweepDeadRuns();
  const n = swept.namespaces.length + swept.links.length + swept.daemons.length;
  if (n > 0) console.log(`[test] removed leftovers of killed runs: ${JSON.stringify(swept)}`);
  const id = newRunId();
  registerRun(id);
  process.env.NICSCOPE_TEST_RUN = id;
  return async () => {
    const left = await sweepDeadRuns(id);
    const n = left.namespaces.length + left.links.length + left.daemons.length;
    if (n > 0) console.log(`[test] a test left these behind; removed: ${JSON.stringify(left)}`);
    rmSync(runDir(id), { recursive: true, force: true });
  };
}
