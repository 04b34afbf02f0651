// Runs nicscope's replay loop over a pcap file in a fresh Node process, the way `nicscope replay`
// runs it: the built code (dist/, tsc output) and nothing else in the process. Used by
// bench/replay.bench.ts: node bench/lib/replay-runs.cjs FILE WARMUPS RUNS MODE
// MODE: flows (decode + flow table), ndjson (the same + NDJSON text of every record), read (reading only).
// Prints one JSON array: per measured run { seconds, cpu, frames, records, gcs, heapGrowth }.
'use strict';
const { join } = require('node:path');
const { PerformanceObserver } = require('node:perf_hooks');
const dist = join(__dirname, '..', '..', 'dist', 'libs');
const { OfflineCapture } = require(join(dist, 'pcap', 'src', 'index.js'));
const { FramePipeline, flowToNdjson } = require(join(dist, 'flow', 'src', 'index.js'));

const [file, warmups, runs, mode] = process.argv.slice(2);
const FLOW_OPTS = { maxFlows: 1_000_000, idleTimeoutS: 30, activeTimeoutS: 300, interimS: 0 };

function once() {
  let gcs = 0;
  const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let records = 0;
  let chars = 0;
  let frames = 0;
  const ndjson = mode === 'ndjson';
  const pipe = new FramePipeline(FLOW_OPTS, (r) => {
    records++;
    if (ndjson) chars += flowToNdjson(r).length;
  });
  const cap = OfflineCapture.open(file);
  if (mode === 'read') {
    for (let b = cap.readBatchShared(); b !== null; b = cap.readBatchShared()) frames += b.count;
  } else {
    for (let b = cap.readBatchShared(); b !== null; b = cap.readBatchShared()) pipe.processBatch(b, cap.linkType, 0);
    pipe.table.flush();
    frames = pipe.summary.frames;
  }
  cap.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const heapGrowth = process.memoryUsage().heapUsed - heap0;
  obs.disconnect();
  void chars;
  return { seconds, cpu: (c.user + c.system) / 1e6, frames, records, gcs, heapGrowth };
}

for (let i = 0; i < Number(warmups); i++) once();
const out = [];
for (let i = 0; i < Number(runs); i++) out.push(once());
process.stdout.write(JSON.stringify(out) + '\n');
