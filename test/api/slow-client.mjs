// A deliberately slow WebSocket client, in its own process so that its slowness blocks nobody else:
// after each message it stops reading its socket for `pauseMs` (so the kernel's receive window stays
// small, as for a client that is really busy) until it is told on stdin (the test does so once the
// server has closed it); then it reads on quickly to reach the close frame.
// argv: url token subscribeJson pauseMs. Prints each lost message, then {"close":code,"reason":…,"frames":n}.
import WebSocket from 'ws';

const [url, token, sub, pauseMs] = process.argv.slice(2);
const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
let fast = false;
let frames = 0;
ws.on('open', () => ws.send(sub));
process.stdin.on('data', () => {
  fast = true;
  ws._socket?.resume();
});
ws.on('message', (data) => {
  const text = data.toString();
  if (text.startsWith('{"type":"lost"') || text.startsWith('{"type":"subscribed"')) process.stdout.write(text + '\n');
  else if (text.startsWith('{"type":"frames"')) frames += (text.match(/"ts":/g) ?? []).length;
  if (!fast && ws._socket) {
    ws._socket.pause();
    setTimeout(() => {
      if (!fast) ws._socket?.resume();
    }, Number(pauseMs));
  }
});
ws.on('close', (code, reason) => {
  process.stdout.write(JSON.stringify({ close: code, reason: reason.toString(), frames }) + '\n');
  process.exit(0);
});
ws.on('error', (e) => {
  process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
});
