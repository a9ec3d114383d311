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

  test('a streamed upload goes through Redis whole, and stream: true hands back the bytes as a stream', async () => {
    const http = new Http({ adapter: bullmqAdapter({ connection: redis.url, queue }), logger: false });
    const parts = [randomBytes(70_000), randomBytes(3), randomBytes(200_000)];
    async function* upload() {
      yield* parts;
    }
    const { response, content } = await http.request(`${origin.url}/echo`, {
      method: 'POST',
      body: upload(),
      stream: true,
    });
    expect(response.status).toBe(200);
    const chunks: Uint8Array[] = [];
    for await (const chunk of content.stream() as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.concat(parts))).toBe(true);
    await http.close();
  });
});
