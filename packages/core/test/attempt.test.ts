import { describe, expect, test, vi } from 'vitest';
import { AttemptRequest } from '../src/attempt.js';
import { abortTarget, CancelledError, Http } from '../src/index.js';

const attempt = () => new AttemptRequest(new URL('http://127.0.0.1/'), 'GET', [], undefined, 1024);

describe('the per-attempt request', () => {
  test('is its own light abort target: listeners fire once with the reason, removed ones never', () => {
    const request = attempt();
    const kept = vi.fn();
    const removed = vi.fn();
    request.addEventListener('abort', kept);
    request.addEventListener('abort', removed);
    request.removeEventListener('abort', removed);
    expect(request.aborted).toBe(false);
    const reason = new CancelledError('stop');
    request.abort(reason);
    request.abort(new Error('twice'));
    expect(kept).toHaveBeenCalledOnce();
    expect(removed).not.toHaveBeenCalled();
    expect(request.aborted).toBe(true);
    expect(request.reason).toBe(reason);
  });

  test('makes a real AbortSignal only when read, before or after the abort', () => {
    const before = attempt();
    const { signal } = before;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(before.signal).toBe(signal);
    before.abort('why');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('why');
    const after = attempt();
    after.abort('late');
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe('late');
  });

  test('abortTarget gives the light target for core requests and the signal for any other', () => {
    const request = attempt();
    expect(abortTarget(request)).toBe(request);
    const foreign = {
      url: new URL('http://127.0.0.1/'),
      method: 'GET',
      headers: [],
      signal: AbortSignal.abort('x'),
    };
    expect(abortTarget(foreign)).toBe(foreign.signal);
  });

  test('an adapter that uses abortTarget is aborted by cancel() without any AbortSignal', async () => {
    let seen: unknown;
    const http = new Http({
      adapter: {
        name: 'light',
        send: (request) =>
          new Promise((_, reject) => {
            const target = abortTarget(request);
            target.addEventListener('abort', () => {
              seen = target.reason;
              reject(target.reason);
            });
          }),
      },
    });
    const request = http.request('http://127.0.0.1:9/');
    await new Promise((resolve) => setImmediate(resolve));
    request.cancel();
    await request.wait();
    expect(seen).toBeInstanceOf(CancelledError);
    await http.close();
  });
});
