// Callbacks and adapters never strand a request or a worker slot, whatever they throw or however long
// they hang; and nothing they throw escapes as an unhandled rejection.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type Adapter,
  abortTarget,
  CancelledError,
  ConnectionError,
  Http,
  type Logger,
  TimeoutError,
} from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
const escaped: unknown[] = [];
const onUnhandled = (reason: unknown) => escaped.push(reason);
beforeAll(async () => {
  server = await startServer();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server.close();
});
afterEach(async () => {
  // Unhandled rejections are reported after a macrotask turn.
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(escaped, 'no unhandled rejection may escape').toEqual([]);
  escaped.length = 0;
});

/** A logger with every level on, recording what it is given. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  return { lines, debug: record, info: record, warn: record, error: record, isLevelEnabled: () => true };
}

const settle = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => ({ ok: true as const, error: undefined as unknown }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('a callback that throws a value that cannot be printed', () => {
  const unprintable: [string, () => unknown][] = [
    ['Object.create(null)', () => Object.create(null)],
    [
      'an object whose toString throws',
      () => ({
        toString() {
          throw new Error('no');
        },
      }),
    ],
    ['undefined', () => undefined],
    ['null', () => null],
    ['a Symbol', () => Symbol('s')],
    [
      'a Proxy that throws on every read',
      () =>
        new Proxy(
          {},
          {
            get() {
              throw new Error('trap');
            },
            getPrototypeOf() {
              throw new Error('trap');
            },
          },
        ),
    ],
  ];

  test.each(unprintable)(
    '%s: every promise object rejects with it, with debug logging on',
    async (_, make) => {
      const thrown = make();
      const logger = recordingLogger();
      const http = new Http({ adapter: nodeAdapter(), logger });
      const request = http.request(`${server.url}/ok`, {
        callback: () => {
          throw thrown;
        },
      });
      for (const object of [request, request.response, request.content, request.data]) {
        const result = await settle(object);
        expect(result.ok).toBe(false);
        expect(result.error).toBe(thrown);
      }
      expect(request.done()).toBe(true);
      // The callback failure and the request failure are both logged, each as one printable line.
      expect(logger.lines.some((line) => line.includes('callback failed'))).toBe(true);
      expect(logger.lines.some((line) => line.includes('failed after'))).toBe(true);
      // Inspecting the settled objects never throws either.
      const { inspect } = await import('node:util');
      expect(inspect(request.response)).toContain('<rejected>');
      await http.close();
    },
  );

  test('with the default (debug) logger too', async () => {
    const http = new Http({ adapter: nodeAdapter() });
    const request = http.request(`${server.url}/ok`, {
      callback: () => {
        throw Object.create(null);
      },
    });
    expect((await settle(request.data)).ok).toBe(false);
    await http.close();
  });
});

/** Waits until `check()` holds (polling), so a loaded machine is no reason to fail. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('cancelling or timing out frees the worker slot at once', () => {
  test('maxWorkers 1: cancel() on a request whose callback never settles lets the next one run', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, logger: recordingLogger() });
    let late = false;
    const stuck = http.request(`${server.url}/ok`, {
      callback: () =>
        new Promise(() => {
          late = true;
        }),
    });
    const next = http.request(`${server.url}/ok`);
    await until(() => late);
    expect(late).toBe(true);
    expect(next.done()).toBe(false);
    expect(stuck.cancel()).toBe(true);
    expect((await settle(stuck)).error).toBeInstanceOf(CancelledError);
    expect((await next.response).status).toBe(200);
    await http.close();
    expect(http.pending).toBe(0);
  });

  test('close({ cancelPending }) with a stuck callback still resolves once it is cancelled', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, logger: false });
    const stuck = http.request(`${server.url}/ok`, { callback: () => new Promise(() => {}) });
    const queued = http.request(`${server.url}/ok`);
    await until(() => http.pending === 1);
    const closed = http.close({ cancelPending: true });
    expect((await settle(queued)).error).toBeInstanceOf(CancelledError);
    stuck.cancel();
    await closed;
  });

  test("a callback's late result after cancel is ignored", async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, logger: false });
    let finish!: (value: string) => void;
    let entered!: () => void;
    const inCallback = new Promise<void>((resolve) => (entered = resolve));
    const request = http.request(`${server.url}/ok`, {
      callback: () =>
        new Promise<string>((resolve) => {
          finish = resolve;
          entered();
        }),
    });
    // Wait for the callback itself, not a fixed time: a loaded machine may take longer to get there.
    await inCallback;
    request.cancel('changed my mind');
    finish('late');
    const result = await settle(request.data);
    expect(result.error).toBeInstanceOf(CancelledError);
    await http.close();
  });

  /** An adapter whose send never settles and never listens to its signal. */
  const deafAdapter = (): Adapter & { sent: number } => {
    const adapter = {
      name: 'deaf (test)',
      sent: 0,
      send: () => {
        adapter.sent++;
        return new Promise<never>(() => {});
      },
    };
    return adapter;
  };

  test('an adapter send that ignores the signal: cancel frees the slot, close resolves', async () => {
    const adapter = deafAdapter();
    const http = new Http({ adapter, maxWorkers: 1, logger: false });
    const first = http.request('http://127.0.0.1:9/a');
    const second = http.request('http://127.0.0.1:9/b', { timeout: 20, retry: 0 });
    await until(() => adapter.sent === 1);
    expect(adapter.sent).toBe(1);
    first.cancel();
    // The second gets the slot, then times out though its send never returns.
    expect((await settle(second)).error).toBeInstanceOf(TimeoutError);
    expect(adapter.sent).toBe(2);
    await http.close();
  });

  test('an adapter send that ignores the signal: a forced 408 or a timeout retry still follows', async () => {
    const adapter = deafAdapter();
    const forced = new Http({ adapter, logger: false, timeout: 20, forceExceptionToStatusCode: true });
    expect((await forced.request('http://127.0.0.1:9/').response).status).toBe(408);
    await forced.close();
    const retried = new Http({
      adapter,
      logger: false,
      timeout: 20,
      retry: { limit: 1, onTimeout: true, delay: 1 },
    });
    const sent = adapter.sent;
    expect((await settle(retried.request('http://127.0.0.1:9/'))).error).toBeInstanceOf(TimeoutError);
    expect(adapter.sent - sent).toBe(2);
    await retried.close();
  });

  test('a callback that awaits another request of the same Http deadlocks until one is cancelled', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, logger: false });
    // The inner request waits for the only slot, which the outer callback holds.
    const outer = http.request(`${server.url}/ok`, {
      callback: () => http.request(`${server.url}/json`).content.json(),
    });
    await until(() => http.size === 1);
    expect(outer.done()).toBe(false);
    expect(http.size).toBe(1);
    outer.cancel();
    expect((await settle(outer)).error).toBeInstanceOf(CancelledError);
    // The slot is free: the inner request runs, and close() resolves.
    await http.close();
    expect(http.size + http.pending).toBe(0);
  });

  test('...or until the inner request times out through its signal', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1, logger: false });
    const outer = http.request(`${server.url}/ok`, {
      callback: () => http.request(`${server.url}/json`, { signal: AbortSignal.timeout(30) }).content.json(),
    });
    const result = await settle(outer.data);
    expect(result.error).toBeInstanceOf(CancelledError);
    await http.close();
  });
});

describe('adapters that throw values that cannot be printed', () => {
  test.each([
    ['null', null],
    ['Object.create(null)', Object.create(null)],
    ['undefined', undefined],
  ])('an adapter throwing %s gives a ConnectionError', async (_, thrown) => {
    const http = new Http({
      adapter: {
        name: 'throwing (test)',
        send: () => Promise.reject(thrown),
      },
      logger: recordingLogger(),
      retry: 0,
    });
    const result = await settle(http.request('http://127.0.0.1:9/'));
    expect(result.error).toBeInstanceOf(ConnectionError);
    expect((result.error as ConnectionError).cause).toBe(thrown);
    await http.close();
  });

  // Only core's light target: a real AbortSignal reports a throwing listener as Node's uncaught error.
  test("an adapter's abort listener (on abortTarget) that throws does not break cancel()", async () => {
    const http = new Http({
      adapter: {
        name: 'throwing listener (test)',
        send: (request) =>
          new Promise((_, reject) => {
            const target = abortTarget(request);
            target.addEventListener('abort', () => {
              reject(target.reason);
              throw new Error('listener');
            });
          }),
      },
      logger: false,
    });
    const request = http.request('http://127.0.0.1:9/');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(() => request.cancel()).not.toThrow();
    expect((await settle(request)).error).toBeInstanceOf(CancelledError);
    await http.close();
  });
});
