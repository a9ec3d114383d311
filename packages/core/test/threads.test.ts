import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClosedError, Http } from '../src/index.js';
import { ThreadPool } from '../src/node/threads.js';
import { nodeAdapter } from './helpers/node-adapter.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'thread-callbacks.mjs');
const fixtureUrl = new URL('./fixtures/thread-callbacks.mjs', import.meta.url);

// A loopback server: `/json?kb=N` a JSON array of about N KiB, anything else a small JSON object.
// Records when each request arrived.
let server: http.Server;
let base: string;
const arrivals: { url: string; at: number }[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    arrivals.push({ url: req.url!, at: Date.now() });
    const url = new URL(req.url!, 'http://x');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-route', 'one');
    res.appendHeader('x-route', 'two');
    if (url.pathname === '/json') {
      const items = Math.round((Number(url.searchParams.get('kb')) * 1024) / 40);
      const body = Array.from({ length: items }, (_, id) => ({ id, name: `stop ${id}`, lat: id / 7 }));
      res.end(JSON.stringify(body));
      return;
    }
    res.end(JSON.stringify({ path: url.pathname, hello: 'world' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const quiet = { logger: false as const };

/** What a promise object rejects with (undefined if it fulfils). */
const failure = (promise: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(promise).then(
    () => undefined,
    (reason: unknown) => reason,
  );

describe('ThreadPool: callbacks in worker threads', () => {
  test('the callback runs in another thread with a response snapshot and a real Content', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter() });
    const result = await client.request(`${base}/describe`, { callback: pool.callback<any>(fixture) });
    const seen = result.data;
    expect(seen.threadId).not.toBe(threadId);
    expect(seen.isContent).toBe(true);
    expect(seen.text).toBe(result.content.text());
    expect(seen.byteLength).toBe(result.content.byteLength);
    expect(seen).toMatchObject({
      status: 200,
      reason: 'OK',
      version: '1.1',
      url: `${base}/describe`,
      fromCache: false,
      attempts: 1,
      contentType: 'application/json; charset=utf-8',
    });
    expect(seen.headers['x-route']).toBe('one, two');
    expect(seen.rawHeaders).toEqual(result.response.rawHeaders.map((pair) => [...pair]));
    // The request's own content is still readable: the thread got a copy.
    expect(result.content.json()).toEqual({ path: '/describe', hello: 'world' });
    await client.close();
    await pool.close();
  });

  test('named exports, async exports, and module given as URL, file: URL string or absolute path', async () => {
    const pool = new ThreadPool({ maxThreads: 2 });
    const client = new Http({ adapter: nodeAdapter() });
    const [fromUrl, fromHref, fromPath, later] = await Promise.all([
      client.request(`${base}/json?kb=1`, { callback: pool.callback<unknown[]>(fixtureUrl, 'parseJson') }),
      client.request(`${base}/a`, { callback: pool.callback(fixtureUrl.href, 'parseJson') }),
      client.request(`${base}/b`, { callback: pool.callback(fixture, 'parseJson') }),
      client.request(`${base}/c`, { callback: pool.callback<string>(fixture, 'later') }),
    ]);
    expect(fromUrl.data).toEqual(fromUrl.content.json());
    expect(fromUrl.data.length).toBeGreaterThan(10);
    expect(fromHref.data).toEqual({ path: '/a', hello: 'world' });
    expect(fromPath.data).toEqual({ path: '/b', hello: 'world' });
    expect(later.data).toBe(later.content.text().toUpperCase());
    await client.close();
    await pool.close();
  });

  test('the main event loop keeps ticking while a thread is busy', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter() });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const result = await client.request(`${base}/spin?ms=400`, {
      callback: pool.callback<any>(fixture, 'spin'),
    });
    clearInterval(timer);
    expect(result.data.threadId).not.toBe(threadId);
    // 400 ms of work; a blocked loop would tick about once. Generous: a loaded machine still ticks.
    expect(ticks).toBeGreaterThanOrEqual(5);
    await client.close();
    await pool.close();
  });

  test('event-loop delay: a CPU-heavy callback on the main thread blocks, in the pool it does not', async () => {
    const spinMs = 400;
    const spinHere = () => {
      const end = Date.now() + spinMs;
      while (Date.now() < end);
      return true;
    };
    const measure = async (callback: (input: any) => unknown) => {
      const client = new Http({ adapter: nodeAdapter(), maxWorkers: 2 });
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      await Promise.all([1, 2].map(() => client.request(`${base}/spin?ms=${spinMs}`, { callback })));
      histogram.disable();
      await client.close();
      return histogram.max / 1e6;
    };
    const pool = new ThreadPool({ maxThreads: 2 });
    const poolCallback = pool.callback(fixture, 'spin');
    await measure(poolCallback); // warm: threads started, module loaded
    const onMain = await measure(spinHere);
    const inPool = await measure(poolCallback);
    expect(onMain).toBeGreaterThanOrEqual(spinMs * 0.8);
    // Generous: a shared machine adds its own delays, but nothing near a blocked loop.
    expect(inPool).toBeLessThan(onMain / 2);
    await pool.close();
  });

  test('an error thrown in the thread keeps name, message, stack and own properties, plus the call site', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter(), ...quiet });
    const request = client.request(`${base}/x`, { callback: pool.callback(fixture, 'throws') });
    const error = await failure(request.data);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toBeInstanceOf(Error);
    const thrown = error as RangeError & Record<string, unknown>;
    expect(thrown.name).toBe('RangeError');
    expect(thrown.message).toBe('route 7 out of range');
    expect(thrown.code).toBe('E_ROUTE');
    expect(thrown.details).toEqual({ route: 7, tried: ['a', 'b'] });
    // A function cannot be cloned: left out.
    expect('handler' in thrown).toBe(false);
    // The thread's stack (its frames are in the fixture), then where request() was called.
    expect(thrown.stack).toContain('thread-callbacks.mjs');
    expect(thrown.stack).toContain('--- request() called from ---');
    expect(thrown.stack!.split('--- request() called from ---')[1]).toContain('threads.test.ts');
    await expect(request.response).rejects.toBe(error);

    const notError = client.request(`${base}/x`, { callback: pool.callback(fixture, 'throwsString') });
    const second = await failure(notError.data);
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toBe('just a string');
    await client.close();
    await pool.close();
  });

  test('a missing module or export, a non-function export or an uncloneable result: TypeError naming both', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter(), ...quiet });
    const missing = path.join(import.meta.dirname, 'fixtures', 'no-such-module.mjs');
    const cases: [string, string, RegExp][] = [
      [missing, 'default', /cannot import the module/],
      [fixture, 'noSuchExport', /no export named noSuchExport/],
      [fixture, 'notAFunction', /export notAFunction is not a function/],
      [fixture, 'notCloneable', /result cannot be cloned/],
    ];
    for (const [module, exportName, reason] of cases) {
      const error = await failure(
        client.request(`${base}/x`, { callback: pool.callback(module, exportName) }).data,
      );
      expect(error, `${module}#${exportName}`).toBeInstanceOf(TypeError);
      const { message } = error as TypeError;
      expect(message).toContain(module);
      expect(message).toContain(exportName);
      expect(message).toMatch(reason);
    }
    // The thread survived all of that.
    const after = await client.request(`${base}/ok`, { callback: pool.callback(fixture, 'parseJson') });
    expect(after.data).toEqual({ path: '/ok', hello: 'world' });
    await client.close();
    await pool.close();
  });

  test('pool.callback refuses a bad module or export name at once', () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    expect(() => pool.callback(42 as never)).toThrow(TypeError);
    expect(() => pool.callback(undefined as never)).toThrow(TypeError);
    expect(() => pool.callback('./relative.mjs')).toThrow(/relative path/);
    expect(() => pool.callback(new URL('https://example.com/x.mjs'))).toThrow(/file: URL/);
    expect(() => pool.callback(fixture, '')).toThrow(TypeError);
    expect(() => pool.callback(fixture, 7 as never)).toThrow(TypeError);
    return pool.close();
  });

  test('bad options: TypeError or RangeError naming the option', () => {
    for (const maxThreads of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ThreadPool({ maxThreads }), String(maxThreads)).toThrow(RangeError);
      expect(() => new ThreadPool({ maxThreads }), String(maxThreads)).toThrow(/maxThreads/);
    }
    expect(() => new ThreadPool({ maxThreads: '2' as never })).toThrow(TypeError);
    expect(() => new ThreadPool({ maxThreads: '2' as never })).toThrow(/maxThreads/);
    expect(() => new ThreadPool({ idleTimeout: -1 })).toThrow(RangeError);
    expect(() => new ThreadPool({ idleTimeout: Number.NaN })).toThrow(/idleTimeout/);
    expect(() => new ThreadPool({ idleTimeout: '1000' as never })).toThrow(TypeError);
    expect(() => new ThreadPool({ idleTimeout: '1000' as never })).toThrow(/idleTimeout/);
    expect(() => new ThreadPool({ maxThread: 2 } as never)).toThrow(/unknown ThreadPool option maxThread/);
    expect(() => new ThreadPool(null as never)).toThrow(TypeError);
    expect(() => new ThreadPool(2 as never)).toThrow(TypeError);
  });

  test('defaults: maxThreads is available parallelism - 1, at least 1', async () => {
    const { availableParallelism } = await import('node:os');
    const pool = new ThreadPool();
    expect(pool.maxThreads).toBe(Math.max(availableParallelism() - 1, 1));
    expect(pool.idleTimeout).toBeGreaterThan(0);
    await pool.close();
  });

  test('a thread that exits fails only its request; the pool replaces it and queued callbacks run', async () => {
    // One thread, so the queued callbacks need the replacement (piscina 5.3 with minThreads 0 would
    // leave them waiting forever).
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter(), maxWorkers: 4, ...quiet });
    const dying = client.request(`${base}/die`, { callback: pool.callback(fixture, 'exits') });
    const queued = [1, 2, 3].map((n) =>
      client.request(`${base}/after/${n}`, { callback: pool.callback(fixture, 'parseJson') }),
    );
    const error = (await failure(dying.data)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/thread died/);
    expect(error.message).toMatch(/exit code 7/);
    expect(error.message).toContain('exits');
    expect(error.cause).toBeInstanceOf(Error);
    const results = await Promise.all(queued);
    expect(results.map((result) => (result.data as { path: string }).path)).toEqual([
      '/after/1',
      '/after/2',
      '/after/3',
    ]);
    await client.close();
    await pool.close();
  });

  test('an uncaught asynchronous error kills the thread: its request fails with it as cause', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter(), maxWorkers: 2, ...quiet });
    const dying = client.request(`${base}/die`, { callback: pool.callback(fixture, 'throwsLater') });
    const next = client.request(`${base}/next`, { callback: pool.callback(fixture, 'parseJson') });
    const error = (await failure(dying.data)) as Error;
    expect(error.message).toMatch(/thread died/);
    expect(error.message).toContain('thrown later in the thread');
    expect((error.cause as Error).message).toBe('thrown later in the thread');
    expect((await next).data).toEqual({ path: '/next', hello: 'world' });
    await client.close();
    await pool.close();
  });

  test('the callback holds its worker slot: with maxWorkers 1 the next request waits for the thread', async () => {
    const pool = new ThreadPool({ maxThreads: 2 });
    const client = new Http({ adapter: nodeAdapter(), maxWorkers: 1 });
    const spin = pool.callback<{ finishedAt: number }>(fixture, 'spin');
    const first = client.request(`${base}/slot/1?ms=300`, { callback: spin });
    const second = client.request(`${base}/slot/2?ms=10`, { callback: spin });
    const [one] = await Promise.all([first, second]);
    const arrived = arrivals.find((arrival) => arrival.url.startsWith('/slot/2'))!;
    expect(arrived.at).toBeGreaterThanOrEqual(one.data.finishedAt);
    await client.close();
    await pool.close();
  });

  test('close waits for running callbacks; afterwards every callback of the pool rejects with ClosedError', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const client = new Http({ adapter: nodeAdapter(), ...quiet });
    const before = pool.callback(fixture, 'parseJson');
    const running = client.request(`${base}/spin?ms=200`, { callback: pool.callback<any>(fixture, 'spin') });
    // Close once the callback is in the thread.
    await running.response;
    await new Promise((resolve) => setTimeout(resolve, 50));
    let closed = false;
    const closing = pool.close().then(() => {
      closed = true;
    });
    expect(pool.close()).toBe(pool.close());
    const result = await running;
    expect(result.data.spun).toBe(true);
    await closing;
    expect(closed).toBe(true);
    const after = pool.callback(fixture, 'parseJson');
    for (const callback of [before, after]) {
      const error = await failure(client.request(`${base}/late`, { callback }).data);
      expect(error).toBeInstanceOf(ClosedError);
      expect((error as ClosedError).code).toBe('ERR_ASYNCHTTP_CLOSED');
    }
    await client.close();
  });

  test('a process that used a pool exits by itself after close', async () => {
    const child = path.join(import.meta.dirname, 'fixtures', 'threads-child.mjs');
    const { stdout } = await promisify(execFile)('node', [child], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
  });
});
