/**
 * The fleet's figures (`pnpm --filter @asynchttp/bench bench:fleet`): throughput through BullMQ and Redis
 * with 1, 2 and 4 worker processes, the latency a queue adds per exchange at concurrency 1 (against local
 * asynchttp on undici), and the Redis memory one queued exchange costs (no body).
 * Starts its own redis-server (Debian's, or REDIS_SERVER) and bench server; writes results/fleet.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bullmqAdapter } from '@asynchttp/bullmq';
import { type Adapter, Http } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';
import { Redis } from 'ioredis';
import { percentile } from './measure.js';
import { startServer, variants } from './server.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'results/fleet.json' },
  },
});
const quick = values.quick;
const require = createRequire(import.meta.url);
const workerBin = path.join(
  path.dirname(require.resolve('@asynchttp/bullmq/package.json')),
  'bin',
  'asynchttp-worker.js',
);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(child: ChildProcess, text: string, what: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${output}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function timed(http: Http, url: string, requests: number, concurrency: number): Promise<Float64Array> {
  const latencies = new Float64Array(requests);
  let next = 0;
  const lane = async () => {
    while (next < requests) {
      const index = next++;
      const began = performance.now();
      const { content } = await http.request(url);
      await content.bytes();
      latencies[index] = performance.now() - began;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return latencies.sort();
}

const dir = mkdtempSync(path.join(tmpdir(), 'asynchttp-fleet-bench-'));
const port = await freePort();
const redisServer = spawn(
  process.env.REDIS_SERVER ?? '/usr/bin/redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
await waitFor(redisServer, 'Ready to accept connections', 'redis-server');
const redisUrl = `redis://127.0.0.1:${port}`;
const server = await startServer();
const url = `${server.origin}${variants.small.path}`;
const results: Record<string, unknown> = { node: process.version, when: new Date().toISOString() };
const workers: ChildProcess[] = [];

async function fleet(count: number, queue: string): Promise<void> {
  while (workers.length > 0) await stop(workers.pop()!);
  for (let index = 0; index < count; index++) {
    const child = spawn(
      process.execPath,
      [workerBin, '--redis', redisUrl, '--queue', queue, '--concurrency', '32'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    workers.push(child);
  }
  await Promise.all(workers.map((child) => waitFor(child, 'asynchttp-worker: pid', 'worker')));
}

try {
  // Throughput: 64 at once from one caller, 64 B bodies.
  const requests = quick ? 300 : 3000;
  const throughput: Record<string, number> = {};
  for (const count of [1, 2, 4]) {
    const queue = `throughput-${count}`;
    await fleet(count, queue);
    const http = new Http({
      adapter: bullmqAdapter({ connection: redisUrl, queue }),
      maxWorkers: 64,
      logger: false,
    });
    await timed(http, url, 200, 64);
    const began = performance.now();
    await timed(http, url, requests, 64);
    throughput[`${count} worker${count > 1 ? 's' : ''}`] = Math.round(
      requests / ((performance.now() - began) / 1000),
    );
    await http.close();
  }
  results.throughputPerSecond = throughput;

  // Added latency at C = 1: one worker vs local asynchttp on undici.
  await fleet(1, 'latency');
  const sequential = quick ? 200 : 2000;
  const latency = async (adapter: Adapter) => {
    const http = new Http({ adapter, maxWorkers: 1, logger: false });
    await timed(http, url, 100, 1);
    const sorted = await timed(http, url, sequential, 1);
    await http.close();
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  const local = await latency(undiciAdapter());
  const viaFleet = await latency(bullmqAdapter({ connection: redisUrl, queue: 'latency' }));
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  results.latencyMs = {
    local: { p50: round(local.p50), p99: round(local.p99) },
    fleet: { p50: round(viaFleet.p50), p99: round(viaFleet.p99) },
    added: { p50: round(viaFleet.p50 - local.p50), p99: round(viaFleet.p99 - local.p99) },
  };

  // Redis memory per queued exchange (no worker on this queue, no body).
  while (workers.length > 0) await stop(workers.pop()!);
  const redis = new Redis(redisUrl);
  const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const queued = quick ? 500 : 5000;
  const http = new Http({
    adapter: bullmqAdapter({ connection: redisUrl, queue: 'memory' }),
    maxWorkers: queued,
    logger: false,
  });
  await redis.call('MEMORY', 'PURGE').catch(() => undefined);
  const before = await used();
  const pending = Array.from({ length: queued }, (_, index) => http.request(`${url}?n=${index}`));
  while ((await redis.llen('asynchttp:memory:wait')) < queued)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const after = await used();
  results.redisBytesPerQueuedExchange = Math.round((after - before) / queued);
  // They wait in Redis, so for core they are running: cancel each (removes its job), then close.
  for (const request of pending) request.cancel();
  await Promise.all(pending.map((request) => request.wait()));
  await http.close();
  redis.disconnect();

  writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  while (workers.length > 0) await stop(workers.pop()!);
  await server.stop();
  await stop(redisServer);
  rmSync(dir, { recursive: true, force: true });
}
