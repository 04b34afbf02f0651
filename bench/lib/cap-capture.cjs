// The npm `cap` package capturing on one device (bench only): counts packets and bytes, prints
// {"event":"ready"} and, on SIGTERM, {"event":"done", packets, bytes, cpuUs}. argv: device filter bufSize
'use strict';
const { Cap } = require('cap');
const [device, filter, bufSize] = process.argv.slice(2);
const c = new Cap();
const buffer = Buffer.alloc(65535);
c.open(device, filter || '', Number(bufSize || 16 << 20), buffer);
if (c.setMinBytes) c.setMinBytes(0);
let packets = 0;
let bytes = 0;
c.on('packet', (nbytes) => {
  packets++;
  bytes += nbytes;
});
let cpu0 = process.cpuUsage();
process.stdout.write(JSON.stringify({ event: 'ready' }) + '\n');
process.on('SIGTERM', () => {
  const cpu = process.cpuUsage(cpu0);
  c.close();
  process.stdout.write(JSON.stringify({ event: 'done', packets, bytes, cpuUs: cpu.user + cpu.system }) + '\n', () =>
    process.exit(0),
  );
});
