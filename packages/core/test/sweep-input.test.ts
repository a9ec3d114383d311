// Bad input is refused by core before any network call: as InvalidRequestError on use (TypeError at
// construction), never synchronously from request(), and whatever the caller's objects throw is the
// error's cause.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Http, InvalidRequestError, type RequestPromise } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let http: Http;
const escaped: unknown[] = [];
const onUnhandled = (reason: unknown) => escaped.push(reason);
beforeAll(async () => {
  server = await startServer();
  http = new Http({ adapter: nodeAdapter(), logger: false });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await http.close();
  await server.close();
});
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(escaped, 'no unhandled rejection may escape').toEqual([]);
  escaped.length = 0;
});

const boom = new Error('thrown by the caller');
const throws = (): never => {
  throw boom;
};

/** Calls request() (which must not throw), then the error it fails with; checks nothing was sent. */
async function refused(call: () => RequestPromise<unknown>): Promise<InvalidRequestError> {
  const hits = server.hits;
  let request: RequestPromise<unknown> | undefined;
  expect(() => {
    request = call();
  }).not.toThrow();
  const error = await request!.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(server.hits, 'nothing reaches the network').toBe(hits);
  return error as InvalidRequestError;
}

describe('credentials in the URL point to addCredentials', () => {
  test.each([
    ['user and password', 'joe:secret@'],
    ['a user only', 'joe@'],
    ['a password only', ':secret@'],
  ])('%s, as a string and as a URL object', async (_, userinfo) => {
    const url = server.url.replace('://', `://${userinfo}`);
    for (const uri of [url, new URL(url)]) {
      const error = await refused(() => http.request(uri));
      expect(error.message).toMatch(/addCredentials/);
      expect(error.message).not.toMatch(/secret/);
    }
  });

  test('an "@" in the path or query is not userinfo', async () => {
    const { response } = await http.request(`${server.url}/users/a@b.example?to=c@d`);
    expect(response.status).toBe(200);
  });
});

describe('header fields follow RFC 9110', () => {
  test.each([
    ['a control character', 'a\x01b'],
    ['DEL', '\x7f'],
    ['NUL', 'a\0b'],
    ['a lone CR', 'a\rb'],
    ['a CJK character', 'a日b'],
    ['the euro sign', 'a€b'],
    ['an emoji', 'a😀b'],
  ])('a value with %s is refused, in every header form', async (_, value) => {
    for (const headers of [
      { 'x-a': value },
      [['x-a', value]],
      new Map([['x-a', value]]),
      { 'x-a': ['ok', value] },
    ]) {
      const error = await refused(() => http.request(server.url, { headers: headers as never }));
      expect(error.message).toMatch(/x-a/);
    }
    expect(() => new Http({ adapter: nodeAdapter(), headers: { 'x-a': value } })).toThrow(TypeError);
  });

  test.each(['x a', 'x:a', 'é', 'x\ta', '(x)', 'x/y'])('the name %j is not a token', async (name) => {
    await refused(() => http.request(server.url, { headers: { [name]: 'v' } }));
    expect(() => new Http({ adapter: nodeAdapter(), headers: { [name]: 'v' } })).toThrow(TypeError);
  });

  test('tabs, spaces, visible ASCII and Latin-1 pass; surrounding whitespace is trimmed', async () => {
    const { content } = await http.request(`${server.url}/echo`, {
      headers: { 'x-a': '  a\tb c  ', 'x-b': '\t~!', 'x-c': 'caf\u00e9' },
    });
    const { headers } = content.json<{ headers: Record<string, string> }>();
    expect(headers['x-a']).toBe('a\tb c');
    expect(headers['x-b']).toBe('~!');
    expect(Buffer.from(headers['x-c']!, 'latin1').toString('latin1')).toBe('caf\u00e9');
  });

  test.each(['GET\x01', 'G\u00c9T', 'GET ', '', 'GE(T)'])('the method %j is refused', async (method) => {
    await refused(() => http.request(server.url, { method }));
  });
});

describe("whatever the caller's objects throw comes back as the cause", () => {
  const cases: [string, () => RequestPromise<unknown>][] = [
    [
      'a URL whose href getter throws',
      () =>
        http.request(
          new (class extends URL {
            override get href(): string {
              return throws();
            }
          })(server.url),
        ),
    ],
    [
      'a headers object with a throwing getter',
      () =>
        http.request(server.url, {
          headers: {
            get 'x-a'() {
              return throws();
            },
          },
        }),
    ],
    [
      'a headers iterable whose iterator throws',
      () => http.request(server.url, { headers: { [Symbol.iterator]: throws } as never }),
    ],
    [
      'a body whose getters throw',
      () =>
        http.request(server.url, {
          method: 'POST',
          body: new Proxy({}, { get: throws, getPrototypeOf: throws }) as never,
        }),
    ],
    [
      'json whose toJSON throws',
      () => http.request(server.url, { method: 'POST', json: { toJSON: throws } }),
    ],
    [
      'options with a throwing getter (Proxy)',
      () => http.request(server.url, new Proxy({}, { get: throws })),
    ],
    [
      'options whose keys cannot be listed (Proxy)',
      () => http.request(server.url, new Proxy({}, { ownKeys: throws })),
    ],
    [
      'a signal whose aborted getter throws',
      () =>
        http.request(server.url, {
          signal: {
            get aborted(): boolean {
              return throws();
            },
            addEventListener() {},
          } as never,
        }),
    ],
    [
      'a signal whose addEventListener throws',
      () =>
        http.request(server.url, {
          signal: { aborted: false, addEventListener: throws, removeEventListener() {} } as never,
        }),
    ],
    [
      'an aborted signal whose reason getter throws',
      () =>
        http.request(server.url, {
          signal: {
            aborted: true,
            get reason() {
              return throws();
            },
            addEventListener() {},
          } as never,
        }),
    ],
  ];

  test.each(cases)('%s', async (_, call) => {
    const error = await refused(call);
    expect(error.cause).toBe(boom);
  });

  test('a method or a Map header name whose toString throws is refused without calling it', async () => {
    const hostile = { toString: throws };
    await refused(() => http.request(server.url, { method: hostile as never }));
    await refused(() => http.request(server.url, { headers: new Map([[hostile, 'v']]) as never }));
    await refused(() => http.request(hostile as never));
  });

  test('the positional form is checked the same way', async () => {
    await refused(() => http.request(server.url, 'GET', undefined, { 'x-a': 'a\x01' }));
  });
});

describe('unknown option names name the nearest known one', () => {
  test('new Http() throws a TypeError', () => {
    const make = () => new Http({ adapter: nodeAdapter(), maxWorker: 5 } as never);
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/"maxWorker".*did you mean "maxWorkers"/);
    expect(() => new Http({ adapter: nodeAdapter(), Timeout: 5 } as never)).toThrow(/did you mean "timeout"/);
  });

  test('request() fails on use with InvalidRequestError', async () => {
    const error = await refused(() => http.request(server.url, { methd: 'POST' } as never));
    expect(error.message).toMatch(/"methd".*did you mean "method"/);
    const other = await refused(() => http.request(server.url, { header: { a: '1' } } as never));
    expect(other.message).toMatch(/did you mean "headers"/);
  });

  test('known names with undefined values pass', async () => {
    const { response } = await http.request(server.url, { method: undefined, signal: undefined });
    expect(response.status).toBe(200);
  });
});

test('close() with options whose getter throws rejects instead of throwing', async () => {
  const client = new Http({ adapter: nodeAdapter(), logger: false });
  let closing: Promise<void> | undefined;
  expect(() => {
    closing = client.close(new Proxy({}, { get: throws }));
  }).not.toThrow();
  await expect(closing).rejects.toMatchObject({ name: 'TypeError', cause: boom });
  await client.close();
});
