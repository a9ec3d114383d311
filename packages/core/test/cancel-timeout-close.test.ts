import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CancelledError, ClosedError, Http, TimeoutError } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';
import { stubAdapter, tick } from './helpers/stub-adapter.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('cancel()', () => {
  test('while queued: the request never reaches the adapter and leaves the queue at once', async () => {
    const adapter = nodeAdapter();
    const http = new Http({ adapter, maxWorkers: 1 });
    const first = http.request(`${server.url}/delay/50`);
    const second = http.request(`${server.url}/ok`);
    expect(http.size).toBe(1);
    expect(second.cancel('changed my mind')).toBe(true);
    expect(http.size).toBe(0);
    expect(second.done()).toBe(true);
    const error = (await rejection(second.response)) as CancelledError;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.cause).toBe('changed my mind');
    await first;
    expect(adapter.sent).toBe(1);
    expect(second.cancel()).toBe(false);
    await http.close();
  });

  test('while running: the adapter sees the abort and the promise objects reject at once', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter });
    const request = http.request('http://127.0.0.1:9/slow');
    await tick();
    const { signal } = adapter.started[0]!.request;
    expect(signal.aborted).toBe(false);
    expect(request.cancel()).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect(await rejection(request.content)).toBe(signal.reason);
    await http.close();
  });

  test('over a real socket, cancelling a running request frees its worker', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1 });
    const hanging = http.request(`${server.url}/hang`);
    const next = http.request(`${server.url}/ok`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    hanging.cancel();
    expect((await next.response).status).toBe(200);
    await http.close();
  });
});

describe('signal', () => {
  test('aborting while queued cancels without reaching the adapter', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1 });
    http.request('http://127.0.0.1:9/busy');
    const controller = new AbortController();
    const request = http.request('http://127.0.0.1:9/queued', { signal: controller.signal });
    controller.abort(new Error('user left'));
    const error = (await rejection(request.response)) as CancelledError;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error.cause as Error).message).toBe('user left');
    await tick();
    expect(adapter.started.map((g) => g.request.url.pathname)).toEqual(['/busy']);
    adapter.started[0]!.answer();
    await http.close();
  });

  test('aborting while running aborts the adapter', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter });
    const controller = new AbortController();
    const request = http.request('http://127.0.0.1:9/running', { signal: controller.signal });
    await tick();
    controller.abort();
    expect(adapter.started[0]!.request.signal.aborted).toBe(true);
    expect(await rejection(request.response)).toBeInstanceOf(CancelledError);
    await http.close();
  });

  test('an already aborted signal rejects at once', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter });
    const request = http.request('http://127.0.0.1:9/', { signal: AbortSignal.abort() });
    expect(request.done()).toBe(true);
    expect(await rejection(request.data)).toBeInstanceOf(CancelledError);
    await tick();
    expect(adapter.started).toHaveLength(0);
    await http.close();
  });
});

describe('timeout', () => {
  test('a server that never answers gives TimeoutError after the timeout', async () => {
    const http = new Http({ adapter: nodeAdapter(), timeout: 80 });
    const started = performance.now();
    const error = (await rejection(http.request(`${server.url}/hang`).response)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/timed out after 80 ms: GET http:\/\/127\.0\.0\.1:\d+\/hang/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    await http.close();
  });

  test('the timeout excludes queue wait and is per request when given', async () => {
    // Each request takes 400 ms; the third waits ~800 ms in the queue and would pass the 1 s timeout
    // if queue wait counted. Generous margins for a loaded machine.
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, timeout: 1_000 });
    const started = performance.now();
    const results = await Promise.all(
      [0, 1, 2].map(() => rejection(http.request(`${server.url}/delay/400`).response)),
    );
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(performance.now() - started).toBeGreaterThan(1_100);
    const tight = await rejection(http.request(`${server.url}/delay/400`, { timeout: 30 }).response);
    expect(tight).toBeInstanceOf(TimeoutError);
    await http.close();
  });
});

describe('close()', () => {
  test('new requests fail with ClosedError; queued ones still run; then the adapter closes', async () => {
    const adapter = nodeAdapter();
    let adapterClosed = 0;
    const close = adapter.close!.bind(adapter);
    adapter.close = async () => {
      adapterClosed++;
      await close();
    };
    const http = new Http({ adapter, maxWorkers: 1 });
    const queued = [http.request(`${server.url}/delay/20`), http.request(`${server.url}/ok`)];
    const closing = http.close();
    const late = http.request(`${server.url}/ok`);
    expect(await rejection(late.response)).toBeInstanceOf(ClosedError);
    await closing;
    expect((await queued[1]!.response).status).toBe(200);
    expect(adapterClosed).toBe(1);
    await http.close();
    expect(adapterClosed).toBe(1);
  });

  test('cancelPending cancels the queued requests and waits for the running one', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1 });
    const running = http.request(`${server.url}/delay/30`);
    const queued = Array.from({ length: 5 }, () => http.request(`${server.url}/ok`));
    await http.close({ cancelPending: true });
    expect((await running.response).status).toBe(200);
    for (const request of queued) expect(await rejection(request.response)).toBeInstanceOf(CancelledError);
  });

  test('leaves no timers or sockets behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const http = new Http({ adapter: nodeAdapter(), timeout: 5_000 });
    await Promise.all(Array.from({ length: 10 }, () => http.request(`${server.url}/ok`)));
    await rejection(http.request('http://127.0.0.1:1/refused'));
    await http.close();
    await tick();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
    const deadline = Date.now() + 2_000;
    while (server.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.connections).toBe(0);
  });

  test('close(options) rejects a non-object', async () => {
    const http = new Http({ adapter: stubAdapter() });
    await expect(http.close('now' as never)).rejects.toThrow(TypeError);
    await http.close();
  });
});
