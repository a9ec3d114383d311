import { describe, expect, test } from 'vitest';
import { type Adapter, type AdapterRequest, CancelledError, Http, TimeoutError } from '../src/index.js';

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = { status: 200, reason: 'OK', headers: [] as [string, string][], body: new Uint8Array() };

/** A transport with a queue of its own: waits `wait` ms, calls `started()`, then takes `work` ms. */
function queuedAdapter(wait: number, work: number, seen: AdapterRequest[] = []): Adapter {
  return {
    name: 'queued-stub',
    queued: true,
    async send(request) {
      seen.push(request);
      await sleep(wait);
      request.started?.();
      request.started?.(); // a second call changes nothing
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, work);
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(request.signal.reason);
        });
      });
      return ok;
    },
  };
}

describe('Adapter.queued and AdapterRequest.started()', () => {
  test("the timeout counts from started(), not the adapter's own queue wait", async () => {
    const http = new Http({ adapter: queuedAdapter(150, 20), timeout: 100, retry: false, logger: false });
    expect((await http.request('http://127.0.0.1:9/').response).status).toBe(200);
    await http.close();
  });

  test('the timeout still bounds the exchange once started', async () => {
    const http = new Http({ adapter: queuedAdapter(20, 500), timeout: 100, retry: false, logger: false });
    const began = Date.now();
    expect(await rejection(http.request('http://127.0.0.1:9/').response)).toBeInstanceOf(TimeoutError);
    expect(Date.now() - began).toBeLessThan(400);
    await http.close();
  });

  test('the hook reaches the adapter through interceptors, and cancel() still aborts a waiting send', async () => {
    const seen: AdapterRequest[] = [];
    const http = new Http({
      adapter: queuedAdapter(50, 500, seen),
      timeout: 100,
      retry: false,
      logger: false,
      interceptors: [
        (next) => (request) => next({ ...request, headers: [...request.headers, ['x-a', '1']] }),
      ],
    });
    const request = http.request('http://127.0.0.1:9/');
    await sleep(10);
    expect(typeof seen[0]?.started).toBe('function');
    expect(await rejection(request.response)).toBeInstanceOf(TimeoutError);
    const cancelled = http.request('http://127.0.0.1:9/');
    await sleep(10);
    cancelled.cancel();
    expect(await rejection(cancelled.response)).toBeInstanceOf(CancelledError);
    await http.close();
  });

  test('other adapters get no started hook and are timed from send()', async () => {
    const seen: AdapterRequest[] = [];
    const adapter: Adapter = { ...queuedAdapter(150, 0, seen), queued: false };
    const http = new Http({ adapter, timeout: 100, retry: false, logger: false });
    expect(await rejection(http.request('http://127.0.0.1:9/').response)).toBeInstanceOf(TimeoutError);
    expect(seen[0]?.started).toBeUndefined();
    await http.close();
  });
});
