import type { ChildProcess } from 'node:child_process';
import { Http } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bullmqAdapter } from '../src/index.js';
import { startOrigin, type TestOrigin } from './helpers/origin.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { spawnWorker, stopWorker } from './helpers/worker-process.js';

// Limits seen by loopback origins while two worker processes (4 slots each) share them.
let redis: TestRedis;
const origins: Record<'global' | 'perOrigin' | 'rate' | 'paused', TestOrigin> = {} as never;
let workers: ChildProcess[] = [];
let http: Http;
const queue = 'limits';

beforeAll(async () => {
  redis = await startRedis();
  for (const name of ['global', 'perOrigin', 'rate', 'paused'] as const) {
    let first = true;
    origins[name] = await startOrigin((_req, res) => {
      if (name !== 'paused' || !first) return false;
      first = false;
      res.writeHead(429, { 'retry-after': '1' });
      res.end();
      return true;
    });
  }
  const args = ['--redis', redis.url, '--queue', queue, '--concurrency', '4', '--max-workers', '3'];
  args.push('--origin', `${origins.perOrigin.url}=2`, '--origin', `${origins.rate.url}=,4/400`);
  workers = await Promise.all([1, 2].map(() => spawnWorker(args)));
  http = new Http({
    adapter: bullmqAdapter({ connection: redis.url, queue }),
    maxWorkers: 100,
    logger: false,
  });
});

afterAll(async () => {
  await http?.close();
  await Promise.all(workers.map((worker) => stopWorker(worker)));
  await Promise.all(Object.values(origins).map((origin) => origin.close()));
  await redis?.stop();
});

const run = (url: string, count: number) =>
  Promise.all(Array.from({ length: count }, (_, index) => http.request(`${url}&n=${index}`).response));

describe('fleet-wide limits, across two worker processes', () => {
  test('limits.maxWorkers (BullMQ global concurrency): 3 at once in the whole fleet, not 8', async () => {
    const responses = await run(`${origins.global.url}/?delay=150`, 12);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(origins.global.maxRunning).toBe(3);
  });

  test('per-origin concurrency (leases in Redis): 2 at once for that origin', async () => {
    await run(`${origins.perOrigin.url}/?delay=150`, 8);
    expect(origins.perOrigin.maxRunning).toBe(2);
  });

  test('sliding rate window: at most 4 starts within any 400 ms, fleet-wide', async () => {
    const began = Date.now();
    await run(`${origins.rate.url}/?delay=0`, 10);
    const starts = origins.rate.starts.map((start) => start.at).sort((a, b) => a - b);
    expect(starts).toHaveLength(10);
    // Arrival at the origin lags the start taken in Redis by the worker's adapter latency (more for an
    // exchange that opens a connection than one that reuses it, on a loaded machine): allow 20 %.
    for (let index = 0; index + 4 < starts.length; index++) {
      expect(starts[index + 4]! - starts[index]!).toBeGreaterThanOrEqual(400 - 80);
    }
    expect(Date.now() - began).toBeGreaterThanOrEqual(800 - 30);
  });

  test('a 429 with Retry-After seen by one worker pauses that origin for the fleet', async () => {
    const first = await http.request(`${origins.paused.url}/first`, { retry: false }).response;
    expect(first.status).toBe(429);
    const after = Date.now();
    const others = new Http({ adapter: bullmqAdapter({ connection: redis.url, queue }), logger: false });
    const second = await others.request(`${origins.paused.url}/second`).response;
    expect(second.status).toBe(200);
    const started = origins.paused.starts.find((start) => start.path === '/second')!.at;
    expect(started - after).toBeGreaterThanOrEqual(700);
    await others.close();
  });
});
