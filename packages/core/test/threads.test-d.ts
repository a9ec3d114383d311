import { describe, expectTypeOf, test } from 'vitest';
import type { Callback, Content, DataPromise, Http } from '../src/index.js';
import type { ResponseSnapshot, ThreadCallback, ThreadPool } from '../src/node/threads.js';

declare const http: Http;
declare const pool: ThreadPool;

interface Route {
  id: string;
  stops: string[];
}

describe('ThreadPool types', () => {
  test('pool.callback<T> is a core Callback<T>, so data is a T', async () => {
    const parseRoutes = pool.callback<Route[]>(new URL('file:///routes.mjs'), 'parseRoutes');
    expectTypeOf(parseRoutes).toEqualTypeOf<Callback<Route[]>>();
    const request = http.request('http://127.0.0.1/', { callback: parseRoutes });
    expectTypeOf(request.data).toEqualTypeOf<DataPromise<Route[]>>();
    const { data } = await request;
    expectTypeOf(data).toEqualTypeOf<Route[]>();
  });

  test('without a type argument data is unknown', async () => {
    const { data } = await http.request('http://127.0.0.1/', { callback: pool.callback('/abs/path.mjs') });
    expectTypeOf(data).toEqualTypeOf<unknown>();
  });

  test('a thread callback gets a response snapshot and a Content', () => {
    const parse: ThreadCallback<Route[]> = ({ response, content }) => {
      expectTypeOf(response).toEqualTypeOf<ResponseSnapshot>();
      expectTypeOf(response.get('content-type')).toEqualTypeOf<string | undefined>();
      expectTypeOf(response.status).toEqualTypeOf<number>();
      expectTypeOf(content).toEqualTypeOf<Content>();
      return content.json<Route[]>();
    };
    expectTypeOf(parse).returns.toEqualTypeOf<Route[] | PromiseLike<Route[]>>();
  });

  test('module and export name are checked', () => {
    // @ts-expect-error a number is not a module
    pool.callback(42);
    // @ts-expect-error the export name is a string
    pool.callback('/abs/path.mjs', 1);
    expectTypeOf(pool.close()).toEqualTypeOf<Promise<void>>();
  });
});
