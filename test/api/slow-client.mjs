// A deliberately slow WebSocket client, in its own process so that its slowness blocks nobody else:
// it sleeps `sleepMs` after each message until it has seen a `lost` message, then reads on quickly.
// argv: url token subscribeJson sleepMs. Prints one JSON line per lost message, then {"close":code,"reason":…}.
import WebSocket from 'ws';

const [url, token, sub, sleepMs] = process.argv.slice(2);
const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let sawLost = false;
let frames = 0;
ws.on('open', () => ws.send(sub));
ws.on('message', (data) => {
  const text = data.toString();
  if (text.startsWith('{"type":"lost"')) {
    sawLost = true;
    process.stdout.write(text + '\n');
  } else if (text.startsWith('{"type":"subscribed"')) process.stdout.write(text + '\n');
  else if (text.startsWith('{"type":"frames"')) frames += (text.match(/"ts":/g) ?? []).length;
  if (!sawLost) Atomics.wait(sleeper, 0, 0, Number(sleepMs));
});
ws.on('close', (code, reason) => {
  process.stdout.write(JSON.stringify({ close: code, reason: reason.toString(), frames }) + '\n');
  process.exit(0);
});
ws.on('error', (e) => {
  process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
});
