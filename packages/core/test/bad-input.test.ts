import { describe, expect, test } from 'vitest';
import { Http, InvalidRequestError } from '../src/index.js';
import { stubAdapter, tick } from './helpers/stub-adapter.js';

describe('new Http() refuses bad options with a message that says what to do', () => {
  test('a missing adapter names the three adapter packages', () => {
    for (const options of [{}, { adapter: undefined }, { adapter: null }]) {
      expect(() => new Http(options as never)).toThrow(TypeError);
      expect(() => new Http(options as never)).toThrow(
        /@asynchttp\/undici .*@asynchttp\/axios .*@asynchttp\/fetch/,
      );
    }
    expect(() => new Http(undefined as never)).toThrow(/options object with an adapter/);
    expect(() => new Http({ adapter: { name: 'x' } } as never)).toThrow(/send\(request\) method/);
  });

  test.each([0, -1, 1.5, Number.NaN, '5', null, Number.NEGATIVE_INFINITY])(
    'maxWorkers %o is a RangeError',
    (value) => {
      expect(() => new Http({ adapter: stubAdapter(), maxWorkers: value as never })).toThrow(RangeError);
      expect(() => new Http({ adapter: stubAdapter(), maxWorkers: value as never })).toThrow(
        /positive integer or Infinity/,
      );
    },
  );

  test('maxWorkers accepts Infinity', () => {
    expect(new Http({ adapter: stubAdapter(), maxWorkers: Number.POSITIVE_INFINITY }).maxWorkers).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  test.each([0, -5, Number.NaN, '100'])(
    'timeout %o is a RangeError, on construction and as a property',
    (value) => {
      expect(() => new Http({ adapter: stubAdapter(), timeout: value as never })).toThrow(RangeError);
      const http = new Http({ adapter: stubAdapter() });
      expect(() => {
        http.timeout = value as never;
      }).toThrow(RangeError);
      expect(http.timeout).toBe(30_000);
    },
  );

  test('bad default headers and maxResponseBytes are refused', () => {
    expect(() => new Http({ adapter: stubAdapter(), headers: { 'x-a': 'one\r\ntwo' } })).toThrow(TypeError);
    expect(() => new Http({ adapter: stubAdapter(), maxResponseBytes: -1 })).toThrow(RangeError);
  });
});

describe('bad requests reject with InvalidRequestError and never reach the adapter', () => {
  const cases: [string, () => [unknown, unknown?]][] = [
    ['a relative URL', () => ['/agencies.json']],
    ['a URL without a scheme', () => ['127.0.0.1:8080/agencies.json']],
    ['an ftp URL', () => ['ftp://127.0.0.1/file']],
    ['a file URL object', () => [new URL('file:///etc/passwd')]],
    ['a number for a URL', () => [42]],
    ['an unparseable URL', () => ['http://exa mple.com/']],
    ['a method with a space', () => ['http://127.0.0.1/', { method: 'GET X' }]],
    ['an empty method', () => ['http://127.0.0.1/', { method: '' }]],
    ['a method with CRLF', () => ['http://127.0.0.1/', { method: 'GET\r\n' }]],
    ['CR/LF in a header value', () => ['http://127.0.0.1/', { headers: { 'x-a': 'one\r\nx-b: two' } }]],
    ['LF in a header value', () => ['http://127.0.0.1/', { headers: [['x-a', 'one\ntwo']] }]],
    ['CR/LF in a header name', () => ['http://127.0.0.1/', { headers: { 'x-a\r\nx-b': 'two' } }]],
    ['an empty header name', () => ['http://127.0.0.1/', { headers: { '': 'x' } }]],
    ['an object header value', () => ['http://127.0.0.1/', { headers: { 'x-a': { v: 1 } } }]],
    ['a malformed header pair', () => ['http://127.0.0.1/', { headers: [['x-a']] }]],
    ['headers as a string', () => ['http://127.0.0.1/', { headers: 'x-a: 1' }]],
    ['a plain object body', () => ['http://127.0.0.1/', { method: 'POST', body: { a: 1 } }]],
    ['a number body', () => ['http://127.0.0.1/', { method: 'POST', body: 42 }]],
    ['a stream-like body', () => ['http://127.0.0.1/', { method: 'POST', body: { pipe() {} } }]],
    ['body and json together', () => ['http://127.0.0.1/', { method: 'POST', body: 'x', json: {} }]],
    [
      'a circular json body',
      () => {
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        return ['http://127.0.0.1/', { method: 'POST', json: circular }];
      },
    ],
    ['a bigint json body', () => ['http://127.0.0.1/', { method: 'POST', json: { n: 1n } }]],
    ['a function as json', () => ['http://127.0.0.1/', { method: 'POST', json: () => 1 }]],
    ['options that are not an object', () => ['http://127.0.0.1/', 42]],
    ['a callback that is not a function', () => ['http://127.0.0.1/', { callback: 'parse' }]],
    ['a signal that is not an AbortSignal', () => ['http://127.0.0.1/', { signal: {} }]],
    ['a NaN priority', () => ['http://127.0.0.1/', { priority: Number.NaN }]],
    ['a negative timeout', () => ['http://127.0.0.1/', { timeout: -1 }]],
  ];

  test.each(cases)('%s', async (_name, input) => {
    const adapter = stubAdapter();
    const http = new Http({ adapter });
    const [uri, options] = input();
    let request: ReturnType<Http['request']> | undefined;
    expect(() => {
      request = http.request(uri as string, options as never);
    }).not.toThrow();
    const error = await request!.response.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message.length).toBeGreaterThan(10);
    expect(() => request!.content.toString()).toThrow(InvalidRequestError);
    await tick();
    expect(adapter.started).toHaveLength(0);
    expect(http.size + http.pending).toBe(0);
    await http.close();
  });

  test('a custom method token and standard methods in lower case are accepted', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter });
    http.request('http://127.0.0.1/', { method: 'PROPFIND' });
    http.request('http://127.0.0.1/', { method: 'delete' });
    await tick();
    expect(adapter.started.map((g) => g.request.method)).toEqual(['PROPFIND', 'DELETE']);
    for (const gate of adapter.started) gate.answer();
    await http.close();
  });
});
