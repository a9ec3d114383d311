import { describe, expectTypeOf, test } from 'vitest';
import type {
  Content,
  ContentPromise,
  DataPromise,
  Http,
  RequestPromise,
  RequestResult,
  Response,
  ResponsePromise,
} from '../src/index.js';

declare const http: Http;

class Route {
  constructor(readonly id: string) {}
}

describe('public types', () => {
  test('destructuring gives the three promise objects', () => {
    const [response, content, data] = http.request('http://127.0.0.1/');
    expectTypeOf(response).toEqualTypeOf<ResponsePromise>();
    expectTypeOf(content).toEqualTypeOf<ContentPromise>();
    expectTypeOf(data).toEqualTypeOf<DataPromise<undefined>>();
    expectTypeOf(response.status).toEqualTypeOf<number>();
    expectTypeOf(content.text()).toEqualTypeOf<Promise<string>>();
  });

  test('streaming: stream() on the content promise and the content, stream bodies accepted', async () => {
    const request = http.request('http://127.0.0.1/', { stream: true });
    expectTypeOf(request.content.stream()).toEqualTypeOf<ReadableStream<Uint8Array>>();
    const content = await request.content;
    expectTypeOf(content.stream()).toEqualTypeOf<ReadableStream<Uint8Array>>();
    expectTypeOf(content.load()).toEqualTypeOf<Promise<Content>>();
    expectTypeOf(content.streamed).toEqualTypeOf<boolean>();
    async function* chunks() {
      yield new Uint8Array(1);
    }
    http.request('http://127.0.0.1/', { method: 'POST', body: chunks() });
    http.request('http://127.0.0.1/', { method: 'POST', body: new Blob(['x']) });
    http.request('http://127.0.0.1/', { method: 'POST', body: new Blob(['x']).stream() });
    // @ts-expect-error stream is a boolean
    http.request('http://127.0.0.1/', { stream: 'yes' });
  });

  test('await gives settled values', async () => {
    const result = await http.request('http://127.0.0.1/');
    expectTypeOf(result).toEqualTypeOf<RequestResult<undefined>>();
    expectTypeOf(result.response).toEqualTypeOf<Response>();
    expectTypeOf(result.content).toEqualTypeOf<Content>();
    const [response, content] = http.request('http://127.0.0.1/');
    expectTypeOf(await response).toEqualTypeOf<Response>();
    expectTypeOf(await content).toEqualTypeOf<Content>();
  });

  test("data takes the callback's return type, awaited", async () => {
    const request = http.request('http://127.0.0.1/', {
      callback: ({ content }) => new Route(content.text()),
    });
    expectTypeOf(request).toEqualTypeOf<RequestPromise<Route>>();
    expectTypeOf(await request.data).toEqualTypeOf<Route>();
    const { data } = await http.request('http://127.0.0.1/', {
      callback: async ({ content }) => content.json<Route[]>(),
    });
    expectTypeOf(data).toEqualTypeOf<Route[]>();
    const [, , third] = http.request('http://127.0.0.1/', { callback: () => 42 });
    expectTypeOf(third).toEqualTypeOf<DataPromise<number>>();
  });

  test('the positional httplib2 form types as a request without callback', () => {
    expectTypeOf(http.request('http://127.0.0.1/', 'POST', 'body', { 'x-a': '1' })).toEqualTypeOf<
      RequestPromise<undefined>
    >();
  });

  test('bad option types are compile errors', () => {
    // @ts-expect-error a callback must be a function
    http.request('http://127.0.0.1/', { callback: 'parse' });
    // @ts-expect-error priority is a number
    http.request('http://127.0.0.1/', { priority: 'high' });
  });
});
