/**
 * One process of the dashboard bench's clients: `count` WebSocket clients (the `ws` package), client
 * `i` subscribed to topic `t<(first + i) % topics>`. Prints `ready <n>` once all are subscribed and
 * `received <n>` on SIGUSR2; exits on SIGTERM or when its parent goes.
 *   node clients.js <ws-url> <count> <topics> <first>
 */
import WebSocket from 'ws';

const [url, countArg, topicsArg, firstArg] = process.argv.slice(2);
const count = Number(countArg);
const topics = Number(topicsArg);
const first = Number(firstArg);
const sockets = [];
let received = 0;
let subscribed = 0;

function open(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('error', reject);
    ws.on('close', (code, reason) => reject(new Error(`client ${i} closed ${code} ${reason}`)));
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"message"')) {
        received++;
        return;
      }
      const f = JSON.parse(text);
      if (f.type === 'connected') {
        ws.send(JSON.stringify({ type: 'subscribe', id: 1, topics: [`t${(first + i) % topics}`] }));
      } else if (f.type === 'ack' && f.id === 1) {
        subscribed++;
        resolve();
      } else if (f.type === 'error') reject(new Error(text));
    });
  });
}

let next = 0;
const worker = async () => {
  while (next < count) await open(next++);
};
try {
  await Promise.all(Array.from({ length: 50 }, worker));
} catch (err) {
  console.error(`clients: ${err.message} after ${subscribed} subscribed`);
  process.exit(1);
}
console.log(`ready ${subscribed}`);
setInterval(() => {
  for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
}, 10_000).unref();
setInterval(() => {
  if (process.ppid === 1) process.exit(0);
}, 1000);
process.on('SIGUSR2', () => console.log(`received ${received}`));
process.on('SIGTERM', () => process.exit(0));
