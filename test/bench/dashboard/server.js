/**
 * The dashboard bench's server: the single-process platform (apps/beacon/dist) with its admin stats
 * sources (libs/stats/dist), plus a bench-only HTTP port that serves the LiveStats stream serialized
 * exactly as the admin API's SSE does (`event: snapshot`, `data: <JSON>`), and the CPU time spent in
 * stats work (sampling, aggregation, serialization) as measured around it. Prints `bench-port <n>`.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startBeacon } from '../../../apps/beacon/dist/bootstrap.js';
import { loadConfig } from '../../../apps/beacon/dist/config.js';
import { ClientGateway } from '../../../libs/gateway/dist/index.js';
import { localAdminSources } from '../../../libs/stats/dist/index.js';

const beacon = await startBeacon(loadConfig(process.env));
// The dev app's default maxConnections (10,000) is below the bench's client count.
await beacon.persistence.apps.updateSettings(process.env.BEACON_DEV_APP_KEY ?? 'bench', {
  maxConnections: 100_000,
});
const sources = localAdminSources(beacon.app.get(ClientGateway, { strict: false }), beacon.metrics);
const live = sources.liveStats;
let statsCpuUs = 0;
const tick = live.tick.bind(live);
live.tick = () => {
  const a = process.cpuUsage();
  tick();
  const d = process.cpuUsage(a);
  statsCpuUs += d.user + d.system;
};
let sseCpuUs = 0;
let sseBytes = 0;

const server = http.createServer((req, res) => {
  if (req.url === '/stats-cpu') {
    res.end(JSON.stringify({ statsCpuUs, sseCpuUs, sseBytes, uptimeMs: performance.now() }));
    return;
  }
  if (req.url === '/stats/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const first = `event: history\ndata: ${JSON.stringify(live.history())}\n\n`;
    res.write(first);
    const stop = live.subscribe((s) => {
      const a = process.cpuUsage();
      const text = `event: snapshot\ndata: ${JSON.stringify(s)}\n\n`;
      res.write(text);
      const d = process.cpuUsage(a);
      sseCpuUs += d.user + d.system;
      sseBytes += Buffer.byteLength(text);
    });
    req.on('close', stop);
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${beacon.url}`);
  console.log(`bench-port ${server.address().port}`);
});
process.on('SIGTERM', async () => {
  sources.stop();
  server.close();
  await beacon.close();
  process.exit(0);
});
