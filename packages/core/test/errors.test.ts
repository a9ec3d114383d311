import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AsyncHttpError,
  CancelledError,
  ClosedError,
  ConnectionError,
  DecompressionError,
  Http,
  InvalidRequestError,
  isAsyncHttpError,
  NotReadyError,
  RedirectLimitError,
  RedirectMissingLocationError,
  ResponseTooLargeError,
  TimeoutError,
} from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('error classes', () => {
  const classes = [
    [ConnectionError, 'ERR_ASYNCHTTP_CONNECTION'],
    [TimeoutError, 'ERR_ASYNCHTTP_TIMEOUT'],
    [CancelledError, 'ERR_ASYNCHTTP_CANCELLED'],
    [ClosedError, 'ERR_ASYNCHTTP_CLOSED'],
    [InvalidRequestError, 'ERR_ASYNCHTTP_INVALID_REQUEST'],
    [RedirectLimitError, 'ERR_ASYNCHTTP_REDIRECT_LIMIT'],
    [RedirectMissingLocationError, 'ERR_ASYNCHTTP_REDIRECT_MISSING_LOCATION'],
    [DecompressionError, 'ERR_ASYNCHTTP_DECOMPRESSION'],
    [ResponseTooLargeError, 'ERR_ASYNCHTTP_RESPONSE_TOO_LARGE'],
    [NotReadyError, 'ERR_ASYNCHTTP_NOT_READY'],
  ] as const;

  test.each(classes)(
    '%o is constructed the ES2022 way and carries code, request and cause',
    (Class, code) => {
      const cause = new Error('socket hang up');
      const request = { method: 'GET', url: 'http://127.0.0.1/' };
      const error = new Class('it failed', { cause, request });
      expect(error).toBeInstanceOf(AsyncHttpError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(Class.name);
      expect(error.code).toBe(code);
      expect(error.cause).toBe(cause);
      expect(error.request).toEqual(request);
      expect(error.message).toBe('it failed');
      expect(isAsyncHttpError(error)).toBe(true);
    },
  );

  test('isAsyncHttpError works across realms by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ERR_ASYNCHTTP_TIMEOUT' });
    expect(isAsyncHttpError(foreign)).toBe(true);
    expect(isAsyncHttpError(new Error('x'))).toBe(false);
    expect(isAsyncHttpError(null)).toBe(false);
    expect(isAsyncHttpError('ERR_ASYNCHTTP')).toBe(false);
  });

  test('an error without a cause has no cause property', () => {
    expect('cause' in new TimeoutError('late')).toBe(false);
  });
});

describe('failures surface where promise objects are used', () => {
  test('a failure nobody looks at never becomes an unhandledRejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const http = new Http({ adapter: nodeAdapter(), timeout: 50 });
      const requests = [
        http.request('http://127.0.0.1:1/refused'),
        http.request(`${server.url}/hang`),
        http.request('relative/url'),
        http.request(`${server.url}/json`, {
          callback: () => {
            throw new Error('nobody reads me');
          },
        }),
      ];
      // Touch the promise objects without awaiting them, as a careless caller would.
      for (const request of requests) void [request.response, request.content, request.data];
      await Promise.all(requests.map((r) => r.wait()));
      await http.close();
      // Unhandled rejections are reported after a macrotask turn.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests.every((r) => r.done())).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('the stack of an error raised on access includes the request() call site', async () => {
    const http = new Http({ adapter: nodeAdapter() });
    const startRequest = () => http.request('http://127.0.0.1:1/refused');
    const [response] = startRequest();
    const error = (await response.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.stack).toMatch(/request\(\) called from/);
    // The frames name this test file and the helper that called request().
    const callSite = error.stack!.split('request() called from')[1]!;
    expect(callSite).toMatch(/startRequest/);
    expect(callSite).toMatch(/errors\.test\.ts:\d+:\d+/);
    // A getter raises the same error object, call site included.
    expect(() => response.status).toThrow(error);
    await http.close();
  });

  test('errors carry the request they belong to', async () => {
    const http = new Http({ adapter: nodeAdapter() });
    const error = (await http.request('http://127.0.0.1:1/refused', { method: 'DELETE' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConnectionError;
    expect(error.request).toEqual({ method: 'DELETE', url: 'http://127.0.0.1:1/refused' });
    expect(error.cause).toBeInstanceOf(Error);
    await http.close();
  });

  test('a body larger than maxResponseBytes fails with ResponseTooLargeError', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxResponseBytes: 4 });
    const error = await http.request(`${server.url}/json`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limit).toBe(4);
    await http.close();
  });

  test('an adapter that throws a foreign error or returns garbage gives a ConnectionError', async () => {
    const http = new Http({
      adapter: {
        name: 'broken',
        send: async (request) => {
          if (request.url.pathname === '/throw') throw new RangeError('library bug');
          return { status: 'two hundred' } as never;
        },
      },
    });
    const thrown = await http.request('http://127.0.0.1:9/throw').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(ConnectionError);
    expect((thrown as Error).message).toMatch(/broken adapter failed: library bug/);
    expect((thrown as Error).cause).toBeInstanceOf(RangeError);
    const garbage = await http.request('http://127.0.0.1:9/garbage').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(garbage).toBeInstanceOf(ConnectionError);
    expect((garbage as Error).message).toMatch(/invalid response/);
    await http.close();
  });
});
