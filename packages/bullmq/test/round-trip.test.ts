import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Http } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bullmqAdapter } from '../src/index.js';
import { startOrigin, type TestOrigin } from './helpers/origin.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { spawnWorker, stopWorker } from './helpers/worker-process.js';

let redis: TestRedis;
let origin: TestOrigin;
let workers: ChildProcess[] = [];
const queue = 'round-trip';

beforeAll(async () => {
  redis = await startRedis();
  origin = await startOrigin();
  workers = await Promise.all(
    [1, 2].map(() => spawnWorker(['--redis', redis.url, '--queue', queue, '--concurrency', '4'])),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => stopWorker(worker)));
  await origin.close();
  await redis.stop();
});

describe('round trip through two worker processes', () => {
  test('GETs and a POST come back to their own caller, bodies byte-exact (1 and 2 MiB)', async () => {
    const http = new Http({
      adapter: bullmqAdapter({ connection: redis.url, queue }),
      maxWorkers: 50,
      logger: false,
    });
    const gets = Array.from({ length: 20 }, (_, index) => http.request(`${origin.url}/item/${index}`));
    const texts = await Promise.all(gets.map(async (request) => (await request.content).text()));
    expect(texts).toEqual(Array.from({ length: 20 }, (_, index) => `GET /item/${index}`));
    for (const size of [1 << 20, 2 << 20]) {
      const body = randomBytes(size);
      const { response, content } = await http.request(`${origin.url}/echo`, { method: 'POST', body });
      expect(response.status).toBe(200);
      expect(response.get('x-method')).toBe('POST');
      expect(Buffer.from(await content.bytes()).equals(body)).toBe(true);
    }
    await http.close();
  });
});
