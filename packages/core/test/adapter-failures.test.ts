import { describe, expect, test } from 'vitest';
import { type Adapter, ConnectionError, failureReason, Http, TimeoutError } from '../src/index.js';

describe('failureReason', () => {
  test('adds the root of the cause chain to a message that hides it', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fetchError = new TypeError('fetch failed', { cause: new Error('wrapped', { cause: socket }) });
    expect(failureReason(fetchError)).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });

  test('keeps a message that already names its cause, and lists an AggregateError', () => {
    const socket = new Error('connect ECONNREFUSED 127.0.0.1:1');
    expect(failureReason(new Error('connect ECONNREFUSED 127.0.0.1:1', { cause: socket }))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    const both = new AggregateError([new Error('connect ECONNREFUSED ::1:1'), socket], '');
    expect(failureReason(new Error('request failed', { cause: both }))).toBe(
      'request failed: connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(failureReason('plain text')).toBe('plain text');
  });

  test('stops on a cause chain that loops', () => {
    const a = new Error('outer');
    const b = new Error('inner', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(() => failureReason(a)).not.toThrow();
  });
});

describe('adapter failures in core', () => {
  test("core's wrapping of a foreign adapter error names the root reason", async () => {
    const adapter: Adapter = {
      name: 'foreign',
      send: async () => {
        throw new Error('library failed', { cause: new Error('getaddrinfo ENOTFOUND example.invalid') });
      },
    };
    const http = new Http({ adapter, retry: false, logger: false });
    const error = await http.request('http://example.invalid/').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(
      'The foreign adapter failed: library failed: getaddrinfo ENOTFOUND example.invalid',
    );
    await http.close();
  });

  test('an invalid adapter response is never retried, whatever the retry options', async () => {
    let calls = 0;
    const adapter: Adapter = {
      name: 'broken',
      send: async () => {
        calls++;
        return { status: 0, reason: '', headers: [], body: new Uint8Array() };
      },
    };
    const http = new Http({ adapter, retry: { limit: 3, delay: 0 }, logger: false });
    const error = await http.request('http://127.0.0.1:9/').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/invalid response/);
    expect(calls).toBe(1);
    await http.close();
  });

  test('the call site survives a library that rewrites the stack of the abort reason', async () => {
    // What Node's fetch does: it rejects with signal.reason after Error.captureStackTrace on it.
    const adapter: Adapter = {
      name: 'rewriting',
      send: (request) =>
        new Promise((_, reject) => {
          request.signal.addEventListener('abort', () => {
            setTimeout(() => {
              const reason = request.signal.reason as Error;
              Error.captureStackTrace(reason);
              reject(reason);
            }, 10);
          });
        }),
    };
    const http = new Http({ adapter, retry: false, logger: false });
    const request = http.request('http://127.0.0.1:9/', { timeout: 20 });
    const error = await request.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((error as Error).stack).toMatch(/--- request\(\) called from ---\n.*adapter-failures\.test\.ts/);
    await http.close();
  });
});
