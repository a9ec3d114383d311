import { CancelledError, ConnectionError, Http, RedirectLimitError, TimeoutError } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bullmqAdapter, type FleetWorker, startWorker } from '../src/index.js';
import { startOrigin, type TestOrigin } from './helpers/origin.js';
import { freePort, startRedis, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
let origin: TestOrigin;
let worker: FleetWorker;
const adapter = undiciAdapter();
const queue = 'behaviour';
let flaky = 0;

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

beforeAll(async () => {
  redis = await startRedis();
  origin = await startOrigin((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname.startsWith('/redirect/')) {
      const left = Number(url.pathname.split('/')[2]);
      res.writeHead(302, { location: left > 0 ? `/redirect/${left - 1}` : '/done' });
      res.end();
      return true;
    }
    if (url.pathname === '/flaky' && flaky++ < 2) {
      res.writeHead(503);
      res.end();
      return true;
    }
    return false;
  });
  // One slot in the whole fleet: the second request waits in Redis.
  worker = await startWorker({ connection: redis.url, queue, adapter, concurrency: 1 });
});

afterAll(async () => {
  await worker?.close();
  await adapter.close?.();
  await origin.close();
  await redis?.stop();
});

const client = (options: Partial<ConstructorParameters<typeof Http>[0]> = {}) =>
  new Http({
    adapter: bullmqAdapter({ connection: redis.url, queue }),
    maxWorkers: 20,
    logger: false,
    ...options,
  });

describe('the caller keeps core', () => {
  test("timeout counts from the worker's start, not the wait in Redis", async () => {
    const http = client({ timeout: 400, retry: false });
    const first = http.request(`${origin.url}/a?delay=700`, { timeout: 2000 });
    const second = http.request(`${origin.url}/b?delay=100`);
    expect((await second.response).status).toBe(200); // waited ~700 ms, ran 100 ms
    expect((await first.response).status).toBe(200);
    const slow = http.request(`${origin.url}/c?delay=2000`);
    const began = Date.now();
    expect(await rejection(slow.response)).toBeInstanceOf(TimeoutError);
    expect(Date.now() - began).toBeLessThan(1500);
    // The worker aborted the exchange: the origin sees the connection go.
    await expect.poll(() => origin.running, { timeout: 2000 }).toBe(0);
    await http.close();
  });

  test('cancel() removes a waiting job (never sent) and aborts a running one on its worker', async () => {
    const http = client();
    origin.reset();
    const running = http.request(`${origin.url}/running?delay=3000`);
    const waiting = http.request(`${origin.url}/waiting`);
    await expect.poll(() => origin.running, { timeout: 2000 }).toBe(1);
    waiting.cancel();
    running.cancel();
    expect(await rejection(waiting.response)).toBeInstanceOf(CancelledError);
    expect(await rejection(running.response)).toBeInstanceOf(CancelledError);
    await expect.poll(() => origin.running, { timeout: 2000 }).toBe(0);
    expect((await http.request(`${origin.url}/after`).response).status).toBe(200);
    expect(origin.starts.map((start) => start.path)).toEqual(['/running', '/after']);
    await http.close();
  });

  test('redirects and retries run on the caller, each hop or attempt one job', async () => {
    const http = client({ retry: { limit: 2, delay: 10 } });
    origin.reset();
    const { response } = await http.request(`${origin.url}/redirect/2`);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${origin.url}/done`);
    expect(response.previous?.status).toBe(302);
    expect(
      await rejection(http.request(`${origin.url}/redirect/9`, { redirections: 3 }).response),
    ).toBeInstanceOf(RedirectLimitError);
    const flakyResponse = await http.request(`${origin.url}/flaky`).response;
    expect(flakyResponse.status).toBe(200);
    expect(flakyResponse.attempts).toBe(3);
    await http.close();
  });
});

describe('bad input and unreachable Redis', () => {
  test('connection and queue are required, named in a TypeError', () => {
    expect(() => bullmqAdapter(undefined as never)).toThrow(TypeError);
    expect(() => bullmqAdapter({ queue: 'q' } as never)).toThrow(/connection/);
    expect(() => bullmqAdapter({ connection: 'http://127.0.0.1:6379', queue: 'q' })).toThrow(/connection/);
    expect(() => bullmqAdapter({ connection: redis.url } as never)).toThrow(/queue/);
    expect(() => bullmqAdapter({ connection: redis.url, queue: '' })).toThrow(/queue/);
  });

  test('startWorker checks its options and limits by path', async () => {
    const base = { connection: redis.url, queue, adapter };
    await expect(startWorker({ ...base, adapter: undefined as never })).rejects.toThrow(/adapter/);
    await expect(startWorker({ ...base, limits: { maxWorkers: 0 } })).rejects.toThrow(RangeError);
    await expect(startWorker({ ...base, limits: { maxWorkers: 0 } })).rejects.toThrow(/limits\.maxWorkers/);
    await expect(startWorker({ ...base, limits: { perOrigin: { maxWorkers: 1.5 } } })).rejects.toThrow(
      /limits\.perOrigin\.maxWorkers/,
    );
    await expect(startWorker({ ...base, limits: { rateLimit: { limit: 1, interval: -1 } } })).rejects.toThrow(
      /limits\.rateLimit\.interval/,
    );
    await expect(startWorker({ ...base, limits: { origins: { 'not a url': {} } } })).rejects.toThrow(
      /limits\.origins/,
    );
    await expect(startWorker({ ...base, concurrency: 0 })).rejects.toThrow(/concurrency/);
  });

  test('unreachable Redis: a ConnectionError on the request within seconds, no hang', async () => {
    const port = await freePort();
    const http = new Http({
      adapter: bullmqAdapter({ connection: `redis://127.0.0.1:${port}`, queue, connectTimeout: 1000 }),
      logger: false,
      retry: false,
    });
    const began = Date.now();
    const error = await rejection(http.request(`${origin.url}/x`).response);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/Redis is unreachable/);
    expect(Date.now() - began).toBeLessThan(3000);
    await http.close();
    await expect(
      startWorker({ connection: `redis://127.0.0.1:${port}`, queue, adapter, connectTimeout: 1000 }),
    ).rejects.toBeInstanceOf(ConnectionError);
  });
});

test('close() leaves no Redis connection, timer or listener: the process exits by itself', async () => {
  const script = `
    import { Http } from '@asynchttp/core';
    import { undiciAdapter } from '@asynchttp/undici';
    import { bullmqAdapter, startWorker } from '@asynchttp/bullmq';
    const adapter = undiciAdapter();
    const worker = await startWorker({ connection: process.argv[1], queue: 'close', adapter,
      limits: { perOrigin: { maxWorkers: 2, rateLimit: { limit: 100, interval: 1000 } } } });
    const http = new Http({ adapter: bullmqAdapter({ connection: process.argv[1], queue: 'close' }), logger: false });
    const { response } = await http.request(process.argv[2]);
    await http.close();
    await worker.close();
    await adapter.close();
    console.log('status', response.status);
  `;
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, redis.url, `${origin.url}/close`],
    {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-1);
      // Generous: starting Node, a worker, a caller and an exchange on a loaded machine; a handle left
      // open would keep it alive for ever, which this still catches.
    }, 30_000);
    child.once('exit', (exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
  expect(output).toContain('status 200');
  expect(code).toBe(0);
}, 45_000);
