import { describe, expectTypeOf, test } from 'vitest';
import type { AdapterRequest, AdapterResponse, HttpOptions, Interceptor, Send } from '../src/index.js';

describe('interceptor types', () => {
  test('an interceptor is a function of the next Send that returns a Send', () => {
    expectTypeOf<Send>().toEqualTypeOf<(request: AdapterRequest) => Promise<AdapterResponse>>();
    expectTypeOf<Interceptor>().toEqualTypeOf<(next: Send) => Send>();
    const signed: Interceptor = (next) => (request) =>
      next({ ...request, headers: [...request.headers, ['x-signature', 'abc']] });
    expectTypeOf(signed).toMatchTypeOf<Interceptor>();
    expectTypeOf<HttpOptions['interceptors']>().toEqualTypeOf<readonly Interceptor[] | undefined>();
  });

  test('a mock may answer without next, and must give an AdapterResponse', () => {
    const mock: Interceptor = () => async () => ({
      status: 200,
      reason: 'OK',
      headers: [],
      body: new Uint8Array(),
    });
    expectTypeOf(mock).toMatchTypeOf<Interceptor>();
    // @ts-expect-error: a Send resolves to an AdapterResponse, not a string
    const wrong: Interceptor = () => async () => 'ok';
    expectTypeOf(wrong).not.toBeAny();
  });
});
