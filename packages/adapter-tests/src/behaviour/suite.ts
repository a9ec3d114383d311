import {
  type Adapter,
  type AdapterRequest,
  Http,
  type HttpOptions,
  MemoryCacheStore,
  type RequestPromise,
  type Response,
} from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testBadInput } from './bad-input.js';
import { interceptorCases } from './interceptors.js';
import { testRfcCache } from './rfc-cache.js';
import { testRfcRedirects } from './rfc-redirects.js';
import { schedulingCases } from './scheduling.js';
import { type BehaviourServer, startBehaviourServer, text, users } from './server.js';
import { streamingCases } from './streaming.js';
import { testThreads } from './threads.js';

/** Options of `testBehaviour`. */
export interface TestBehaviourOptions {
  /** Shown in the `describe()` title. */
  name: string;
  /** Returns a fresh adapter on each call; the suite closes every client it makes. */
  create: () => Adapter;
}

const settle = <T>(promise: PromiseLike<T>) =>
  Promise.resolve(promise).then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined as T | undefined, error }),
  );

/** The error a request failed with (fails the test if it did not). */
async function failure(request: RequestPromise<unknown>): Promise<Error & Record<string, any>> {
  const { error } = await settle(request);
  expect(error, 'the request should have failed').toBeInstanceOf(Error);
  return error as Error & Record<string, any>;
}

function chain(response: Response): number[] {
  const statuses: number[] = [];
  for (let r: Response | undefined = response; r !== undefined; r = r.previous) statuses.unshift(r.status);
  return statuses;
}

/**
 * httplib2's behaviour, ported case by case from its test suite (redirects, encodings, credentials,
 * retries, forced status codes), run through `Http` with the given adapter. Core implements all of it
 * above the adapter contract, so every adapter must give the same results.
 *
 * @example
 * ```ts
 * testBehaviour({ name: 'undici', create: () => undiciAdapter() });
 * ```
 */
export function testBehaviour({ name, create }: TestBehaviourOptions): void {
  describe(`httplib2 behaviour: ${name}`, () => {
    let server: BehaviourServer;
    let a: string;
    const clients: Http[] = [];
    const client = (options: Omit<HttpOptions, 'adapter'> = {}) => {
      const http = new Http({ adapter: create(), logger: false, ...options });
      clients.push(http);
      return http;
    };

    beforeAll(async () => {
      server = await startBehaviourServer();
      [a] = server.urls;
    });
    afterAll(async () => {
      await Promise.all(clients.map((http) => http.close({ cancelPending: true })));
      await server.close();
    });
    testRfcRedirects(client);

    interceptorCases(create);
    schedulingCases(create);
    streamingCases(create);

    describe('redirects', () => {
      test.each([301, 302, 303, 307, 308])(
        'GET %i is followed, with a previous chain and the final url',
        async (code) => {
          const http = client();
          const { response, content } = await http.request(`${a}/redirect/${code}?to=/echo`);
          expect(response.status).toBe(200);
          expect(response.url).toBe(`${a}/echo`);
          expect(response.previous?.status).toBe(code);
          expect(response.previous?.url).toBe(`${a}/redirect/${code}?to=/echo`);
          expect(content.json<{ method: string }>().method).toBe('GET');
        },
      );

      test('a chain of redirects keeps every hop in previous; relative Locations resolve', async () => {
        const response = await client().request(`${a}/chain/3`).response;
        expect(chain(response)).toEqual([302, 302, 302, 200]);
        expect(response.url).toBe(`${a}/chain/0`);
      });

      test('HEAD 301 is followed as HEAD', async () => {
        server.reset();
        const response = await client().request(`${a}/redirect/301?to=/echo`, { method: 'HEAD' }).response;
        expect(response.status).toBe(200);
        expect(server.hits('/echo')[0]?.method).toBe('HEAD');
      });

      test.each([301, 302, 307])(
        'POST %i is returned, not followed, without followAllRedirects',
        async (code) => {
          const response = await client().request(`${a}/redirect/${code}?to=/echo`, {
            method: 'POST',
            body: 'x',
          }).response;
          expect(response.status).toBe(code);
          expect(response.previous).toBeUndefined();
        },
      );

      test('POST 303 is always followed, as GET without body', async () => {
        server.reset();
        const { response, content } = await client().request(`${a}/redirect/303?to=/echo`, {
          method: 'POST',
          json: { a: 1 },
        });
        expect(response.status).toBe(200);
        const echoed = content.json<{ method: string; body: string; headers: Record<string, string> }>();
        expect(echoed.method).toBe('GET');
        expect(echoed.body).toBe('');
        expect(echoed.headers['content-type']).toBeUndefined();
      });

      test('POST 308 is always followed, keeping method and body', async () => {
        const { content } = await client().request(`${a}/redirect/308?to=/echo`, {
          method: 'POST',
          body: 'keep me',
        });
        expect(content.json()).toMatchObject({ method: 'POST', body: 'keep me' });
      });

      test('with followAllRedirects, 302 turns POST into GET and 307 keeps POST and body', async () => {
        const http = client({ followAllRedirects: true });
        const found = await http.request(`${a}/redirect/302?to=/echo`, { method: 'POST', body: 'x' }).content;
        expect(found.json()).toMatchObject({ method: 'GET', body: '' });
        const temporary = await http.request(`${a}/redirect/307?to=/echo`, { method: 'POST', body: 'x' })
          .content;
        expect(temporary.json()).toMatchObject({ method: 'POST', body: 'x' });
        const moved = await http.request(`${a}/redirect/301?to=/echo`, { method: 'PUT', body: 'y' }).content;
        expect(moved.json()).toMatchObject({ method: 'PUT', body: 'y' });
      });

      test('followRedirects false returns the redirect, and the property takes effect at once', async () => {
        const http = client({ followRedirects: false });
        expect((await http.request(`${a}/redirect/301?to=/echo`).response).status).toBe(301);
        http.followRedirects = true;
        expect((await http.request(`${a}/redirect/301?to=/echo`).response).status).toBe(200);
      });

      test('the redirect limit gives RedirectLimitError with the last response and content', async () => {
        server.reset();
        const error = await failure(client().request(`${a}/loop`));
        expect(error.name).toBe('RedirectLimitError');
        expect(error.response.status).toBe(302);
        expect(error.content.text()).toBe('again');
        // The first request and the five redirects it may follow.
        expect(server.hits('/loop')).toHaveLength(6);
      });

      test('redirections is per client and per request; 0 refuses the first redirect', async () => {
        server.reset();
        const http = client({ redirections: 2 });
        expect((await failure(http.request(`${a}/chain/3`))).name).toBe('RedirectLimitError');
        expect(chain(await http.request(`${a}/chain/3`, { redirections: 3 }).response)).toEqual([
          302, 302, 302, 200,
        ]);
        expect((await failure(http.request(`${a}/redirect/301?to=/echo`, { redirections: 0 }))).name).toBe(
          'RedirectLimitError',
        );
      });

      test.each([301, 302, 303, 307, 308])(
        '%i without Location is RedirectMissingLocationError',
        async (code) => {
          const error = await failure(client().request(`${a}/redirect/${code}`));
          expect(error.name).toBe('RedirectMissingLocationError');
          expect(error.response.status).toBe(code);
        },
      );

      test('300 without Location is returned as it is; 300 with one is followed', async () => {
        const http = client();
        expect((await http.request(`${a}/redirect/300`).response).status).toBe(300);
        expect(chain(await http.request(`${a}/redirect/300?to=/echo`).response)).toEqual([300, 200]);
      });

      test('authorization is dropped on every hop; a cookie never goes to another origin', async () => {
        server.reset();
        const headers = { authorization: 'Bearer secret', cookie: 'session=1' };
        await client().request(`${a}/redirect/302?to=/echo`, { headers });
        const [first, same] = [server.hits('/redirect/302')[0]!, server.hits('/echo')[0]!];
        expect(first.headers.authorization).toBe('Bearer secret');
        expect(same.headers.authorization).toBeUndefined();
        expect(same.headers.cookie).toBe('session=1');
        server.reset();
        await client().request(`${a}/other-origin`, { headers });
        const other = server.hits('/echo')[0]!;
        expect(other.origin).toBe(1);
        expect(other.headers.authorization).toBeUndefined();
        expect(other.headers.cookie).toBeUndefined();
      });

      test('a redirect to another scheme or an unparseable Location is refused', async () => {
        const http = client();
        const scheme = await failure(
          http.request(`${a}/redirect/302?to=${encodeURIComponent('file:///etc/passwd')}`),
        );
        expect(scheme.name).toBe('InvalidRequestError');
        expect(scheme.message).toMatch(/file:/);
        const bad = await failure(http.request(`${a}/redirect/302?to=${encodeURIComponent('http://[bad')}`));
        expect(bad.name).toBe('InvalidRequestError');
      });
    });

    describe('compression', () => {
      test('accept-encoding is sent unless the caller set one or asked for a range', async () => {
        server.reset();
        const http = client();
        await http.request(`${a}/echo`);
        await http.request(`${a}/echo`, { headers: { 'accept-encoding': 'identity' } });
        await http.request(`${a}/echo`, { headers: { range: 'bytes=0-1' } });
        const sent = server.hits('/echo').map((s) => s.headers['accept-encoding']);
        expect(sent.slice(0, 2)).toEqual(['gzip, deflate, br', 'identity']);
        // Core adds nothing to a range request; a fetch runtime may add `identity` on its own.
        expect([undefined, 'identity']).toContain(sent[2]);
      });

      test.each(['gzip', 'deflate', 'deflate-raw', 'br'])('a %s body is decoded', async (kind) => {
        const { response, content } = await client().request(`${a}/encoded/${kind}`);
        expect(content.text()).toBe(text);
        const encoding = kind === 'deflate-raw' ? 'deflate' : kind;
        expect(response.decodedFrom).toBe(encoding);
        expect(response.headers['content-encoding']).toBeUndefined();
        expect(response.headers['-content-encoding']).toBe(encoding);
        expect(response.get('content-encoding')).toBeUndefined();
        expect(
          response.rawHeaders.some(([n, v]) => n.toLowerCase() === 'content-encoding' && v === encoding),
        ).toBe(true);
      });

      test('HEAD is never decoded', async () => {
        const response = await client().request(`${a}/encoded/gzip`, { method: 'HEAD' }).response;
        expect(response.status).toBe(200);
        expect(response.decodedFrom).toBeUndefined();
        expect(response.headers['content-encoding']).toBe('gzip');
      });

      test('corrupt data gives DecompressionError', async () => {
        const error = await failure(client().request(`${a}/encoded/corrupt`));
        expect(error.name).toBe('DecompressionError');
      });

      test('a 10 MiB gzip bomb fails with ResponseTooLargeError without inflating it all', async () => {
        const http = client({ maxResponseBytes: 16 * 1024 * 1024 });
        const before = process.memoryUsage();
        let peak = 0;
        const sampler = setInterval(() => {
          const now = process.memoryUsage();
          peak = Math.max(peak, now.rss - before.rss);
        }, 5);
        try {
          const error = await failure(http.request(`${a}/bomb`));
          expect(error.name).toBe('ResponseTooLargeError');
        } finally {
          clearInterval(sampler);
        }
        // Inflated fully it would be 10 GiB; the cap keeps the peak to tens of MiB.
        expect(peak).toBeLessThan(512 * 1024 * 1024);
      });

      test('past maxResponseBytes a 256 MiB body is not read: ResponseTooLargeError, connection closed', async () => {
        const limit = 1024 * 1024;
        const target = '/flood/256?behaviour';
        const started = Date.now();
        const error = await failure(
          client({ maxResponseBytes: limit, retry: false }).request(`${a}${target}`),
        );
        expect(error.name).toBe('ResponseTooLargeError');
        const flood = server.flooded(target)!;
        await flood.closed;
        expect(Date.now() - started, 'ms until failed and closed').toBeLessThan(5_000);
        expect(flood.finished, 'the whole body was read').toBe(false);
        // The limit plus what loopback socket buffers hold; reading it all would be 256 MiB.
        expect(flood.written).toBeLessThan(limit + 32 * 1024 * 1024);
      });

      test('a ratio past maxCompressionRatio fails even below maxResponseBytes, unless the adapter decodes', async () => {
        const probe = create();
        const controller = new AbortController();
        const raw = await probe.send({
          url: new URL(`${a}/encoded/gzip`),
          method: 'GET',
          headers: [['accept-encoding', 'gzip']],
          signal: controller.signal,
        } as AdapterRequest);
        await probe.close?.();
        const outcome = await settle(client().request(`${a}/ratio`));
        if (raw.decoded) {
          // The adapter inflated it before core saw the encoded size: only maxResponseBytes applies.
          expect(outcome.error).toBeUndefined();
        } else {
          expect((outcome.error as Error)?.name).toBe('ResponseTooLargeError');
        }
        const lenient = await settle(client({ maxCompressionRatio: 5000 }).request(`${a}/ratio`));
        expect(lenient.error).toBeUndefined();
        expect(lenient.value?.content.byteLength).toBe(32 * 1024 * 1024);
      });
    });

    describe('credentials', () => {
      test('Basic: answered after a 401, then sent up front under the same path', async () => {
        server.reset();
        const http = client();
        http.addCredentials(users.name, users.password);
        expect(await http.request(`${a}/basic/one`).content.then(String)).toBe('basic ok');
        expect(server.hits('/basic/one').map((s) => s.headers.authorization === undefined)).toEqual([
          true,
          false,
        ]);
        await http.request(`${a}/basic/two`);
        expect(server.hits('/basic/two')).toHaveLength(1);
      });

      test('wrong credentials give the 401 back, not an error', async () => {
        const http = client();
        http.addCredentials(users.name, 'wrong');
        const response = await http.request(`${a}/basic/x`).response;
        expect(response.status).toBe(401);
      });

      test('no credentials: the 401 is returned as it is', async () => {
        expect((await client().request(`${a}/basic/x`).response).status).toBe(401);
      });

      test.each(['md5', 'md5-sess', 'sha256', 'sha256-sess'])(
        'Digest %s with qop=auth, opaque and nc counting',
        async (alg) => {
          server.reset();
          const http = client();
          http.addCredentials(users.name, users.password);
          expect(await http.request(`${a}/digest/${alg}/plain/one`).content.then(String)).toBe(
            'digest ok nc=00000001',
          );
          // Up front on the next request, with the next nonce count.
          expect(await http.request(`${a}/digest/${alg}/plain/two?q=1`).content.then(String)).toBe(
            'digest ok nc=00000002',
          );
          expect(server.hits(`/digest/${alg}/plain/two`)).toHaveLength(1);
        },
      );

      test('Digest without qop (RFC 2069)', async () => {
        const http = client();
        http.addCredentials(users.name, users.password);
        expect(await http.request(`${a}/digest/md5/noqop/x`).content.then(String)).toBe('digest ok nc=none');
      });

      test('a stale nonce is answered once more with the new nonce', async () => {
        server.reset();
        const http = client();
        http.addCredentials(users.name, users.password);
        const response = await http.request(`${a}/digest/md5/stale/x`).response;
        expect(response.status).toBe(200);
        expect(server.hits('/digest/md5/stale/x')).toHaveLength(3);
      });

      test('Digest is preferred over Basic when both are offered', async () => {
        const http = client();
        http.addCredentials(users.name, users.password);
        expect(await http.request(`${a}/both/x`).content.then(String)).toMatch(/^digest ok/);
      });

      test('domain limits credentials to a host; clearCredentials forgets them', async () => {
        const http = client();
        http.addCredentials(users.name, users.password, 'example.invalid');
        expect((await http.request(`${a}/basic/x`).response).status).toBe(401);
        http.clearCredentials();
        http.addCredentials(users.name, users.password, '127.0.0.1');
        expect((await http.request(`${a}/basic/x`).response).status).toBe(200);
        http.clearCredentials();
        expect((await http.request(`${a}/basic/x`).response).status).toBe(401);
      });

      test('bad credentials input is a TypeError', () => {
        const http = client();
        expect(() => http.addCredentials(undefined as never, 'x')).toThrow(TypeError);
        expect(() => http.addCredentials('joe', 42 as never)).toThrow(TypeError);
        expect(() => http.addCredentials('joe', 'x', '')).toThrow(TypeError);
      });
    });

    describe('retries', () => {
      const fast = { delay: 1, backoffLimit: 5 };

      test('503 twice then 200: retried in the same request, attempts on the response', async () => {
        server.reset();
        const response = await client({ retry: fast }).request(`${a}/flaky/a?fail=2`).response;
        expect(response.status).toBe(200);
        expect(response.attempts).toBe(3);
        expect(server.hits('/flaky/a')).toHaveLength(3);
      });

      test('the limit is honoured: the last response comes back', async () => {
        server.reset();
        const response = await client({ retry: { ...fast, limit: 1 } }).request(`${a}/flaky/b?fail=5`)
          .response;
        expect(response.status).toBe(503);
        expect(server.hits('/flaky/b')).toHaveLength(2);
      });

      test('POST is not retried by default; 404 is never retried', async () => {
        server.reset();
        const http = client({ retry: fast });
        expect((await http.request(`${a}/flaky/c?fail=1`, { method: 'POST' }).response).status).toBe(503);
        expect((await http.request(`${a}/flaky/d?fail=1&status=404`).response).status).toBe(404);
        expect(server.hits('/flaky/c')).toHaveLength(1);
        expect(server.hits('/flaky/d')).toHaveLength(1);
      });

      test('Retry-After is honoured, and one past maxRetryAfter ends retrying', async () => {
        server.reset();
        const http = client({ retry: fast });
        const started = performance.now();
        expect((await http.request(`${a}/flaky/e?fail=1&after=1`).response).status).toBe(200);
        expect(performance.now() - started).toBeGreaterThanOrEqual(900);
        const long = await http.request(`${a}/flaky/f?fail=1&after=3600`).response;
        expect(long.status).toBe(503);
        expect(server.hits('/flaky/f')).toHaveLength(1);
      });

      test('connection errors are retried; retry: false turns it off', async () => {
        server.reset();
        const ok = await client({ retry: fast }).request(`${a}/reset/g?times=2`).response;
        expect(ok.status).toBe(200);
        server.reset();
        const error = await failure(client({ retry: false }).request(`${a}/reset/h`));
        expect(error.name).toBe('ConnectionError');
        // The one retry httplib2 made for a dropped connection, and no more.
        expect(server.hits('/reset/h').length).toBeLessThanOrEqual(2);
      });

      test('a kept-alive connection the server dropped is retried once even with retry off', async () => {
        server.reset();
        const http = client({ retry: false, maxWorkers: 1 });
        expect((await http.request(`${a}/drop-second`).response).status).toBe(200);
        const again = await http.request(`${a}/drop-second`).response;
        expect(again.status).toBe(200);
        const hits = server.hits('/drop-second');
        expect(hits.length).toBeGreaterThanOrEqual(2);
        expect(hits.at(-1)!.onSocket).toBe(0);
      });

      test('cancelling during a backoff rejects at once', async () => {
        const request = client({ retry: { limit: 3, delay: 5_000, backoffLimit: 5_000 } }).request(
          `${a}/flaky/i?fail=5`,
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = performance.now();
        request.cancel();
        expect((await failure(request)).name).toBe('CancelledError');
        expect(performance.now() - started).toBeLessThan(1_000);
      });

      test('bad retry options are refused', async () => {
        expect(() => client({ retry: -1 })).toThrow(RangeError);
        expect(() => client({ retry: { limit: 1.5 } })).toThrow(RangeError);
        expect(() => client({ retry: 'always' as never })).toThrow(RangeError);
        const error = await failure(client().request(`${a}/echo`, { retry: { delay: -5 } }));
        expect(error.name).toBe('InvalidRequestError');
      });
    });

    describe('forceExceptionToStatusCode', () => {
      test('a timeout becomes a 408 Request Timeout response', async () => {
        const { response, content } = await client({ forceExceptionToStatusCode: true, timeout: 50 }).request(
          `${a}/hang`,
        );
        expect(response.status).toBe(408);
        expect(response.reason).toBe('Request Timeout');
        expect(content.text()).toBe('Request Timeout');
      });

      test('a connection failure becomes a 400 with the message as a text/plain body', async () => {
        const { response, content } = await client({
          forceExceptionToStatusCode: true,
          retry: false,
        }).request('http://127.0.0.1:1/refused');
        expect(response.status).toBe(400);
        expect(response.reason).toBe('Bad Request');
        expect(response.get('content-type')).toBe('text/plain');
        expect(content.text().length).toBeGreaterThan(0);
      });

      test('an error carrying a response becomes a 500 whose reason is the message', async () => {
        const { response, content } = await client({ forceExceptionToStatusCode: true }).request(`${a}/loop`);
        expect(response.status).toBe(500);
        expect(response.reason).toMatch(/Redirected more times than allowed/);
        expect(content.text()).toBe('again');
      });

      test('cancellation still rejects; the property can be switched at run time', async () => {
        const http = client({ forceExceptionToStatusCode: true });
        const request = http.request(`${a}/hang`);
        request.cancel();
        expect((await failure(request)).name).toBe('CancelledError');
        http.forceExceptionToStatusCode = false;
        expect((await failure(http.request(`${a}/loop`))).name).toBe('RedirectLimitError');
      });
    });

    describe('cache', () => {
      let n = 0;
      // Each test gets its own resources: the server counts hits per path.
      const path = (kind: string) => `${a}/cache/${kind}/${name.replace(/\W/g, '')}-${++n}`;
      const cachedClient = (options: Omit<HttpOptions, 'adapter'> = {}) =>
        client({ cache: new MemoryCacheStore(), ...options });
      const hits = (url: string) => server.hits(new URL(url).pathname).length;

      test('a fresh response is served again without a network call, fromCache true', async () => {
        const http = cachedClient();
        const url = path('fresh');
        const first = await http.request(url);
        expect(first.response.fromCache).toBe(false);
        const second = await http.request(url);
        expect(second.response.fromCache).toBe(true);
        expect(second.response.status).toBe(200);
        expect(second.content.text()).toBe(first.content.text());
        expect(second.response.get('age')).toMatch(/^\d+$/);
        expect(hits(url)).toBe(1);
      });

      test('a fresh hit takes no worker slot', async () => {
        const http = cachedClient({ maxWorkers: 1 });
        const url = path('fresh');
        await http.request(url);
        const busy = http.request(`${a}/hang`);
        const hit = await http.request(url).response;
        expect(hit.fromCache).toBe(true);
        expect(http.pending).toBe(1);
        busy.cancel();
      });

      test('a decoded (gzip) body is stored decoded and served with its encoding noted', async () => {
        const http = cachedClient();
        const url = path('gzip');
        await http.request(url);
        const { response, content } = await http.request(url);
        expect(response.fromCache).toBe(true);
        expect(content.text()).toBe('zipped 1');
        expect(response.headers['content-encoding']).toBeUndefined();
      });

      test('ETag: a stale entry is revalidated with If-None-Match; the 304 is merged into a 200', async () => {
        const http = cachedClient();
        const url = path('etag');
        expect((await http.request(url).content).text()).toBe('etag body 1');
        const { response, content } = await http.request(url);
        expect(response.status).toBe(200);
        expect(response.fromCache).toBe(true);
        expect(content.text()).toBe('etag body 1');
        // The 304's own fields replace the stored ones.
        expect(response.get('x-revalidated')).toBe('2');
        const seen = server.hits(new URL(url).pathname);
        expect(seen[1]!.headers['if-none-match']).toBe('"v1"');
      });

      test('Last-Modified: revalidated with If-Modified-Since', async () => {
        const http = cachedClient();
        const url = path('modified');
        await http.request(url);
        const { response, content } = await http.request(url);
        expect(response.fromCache).toBe(true);
        expect(content.text()).toBe('modified body 1');
        expect(server.hits(new URL(url).pathname)[1]!.headers['if-modified-since']).toBe(
          'Tue, 15 Nov 1994 12:45:26 GMT',
        );
      });

      test('anything but 200 or 304 on revalidation drops the entry', async () => {
        // Without retries, so the 500 is the one answer to the revalidation.
        const http = cachedClient({ retry: false });
        const url = path('then-500');
        await http.request(url);
        expect((await http.request(url).response).status).toBe(500);
        // Dropped: the next request is unconditional.
        await http.request(url);
        expect(server.hits(new URL(url).pathname)[2]!.headers['if-none-match']).toBeUndefined();
      });

      test('Vary with one header: a different value misses, the same value hits', async () => {
        const http = cachedClient();
        const url = path('vary1');
        const en = { headers: { 'accept-language': 'en' } };
        await http.request(url, en);
        expect((await http.request(url, en).response).fromCache).toBe(true);
        const fr = await http.request(url, { headers: { 'accept-language': 'fr' } });
        expect(fr.response.fromCache).toBe(false);
        expect(fr.content.text()).toBe('lang=fr 2');
      });

      test('Vary with two headers, and with an absent header', async () => {
        const http = cachedClient();
        const url = path('vary2');
        const both = { headers: { 'accept-language': 'en', 'x-custom': 'a' } };
        await http.request(url, both);
        expect((await http.request(url, both).response).fromCache).toBe(true);
        expect(
          (await http.request(url, { headers: { 'accept-language': 'en', 'x-custom': 'b' } }).response)
            .fromCache,
        ).toBe(false);
        // The header that was present is now absent: a miss too.
        expect((await http.request(url, { headers: { 'accept-language': 'en' } }).response).fromCache).toBe(
          false,
        );
        expect(hits(url)).toBe(3);
      });

      test('no-store in a response is never stored', async () => {
        const http = cachedClient();
        const url = path('no-store');
        await http.request(url);
        expect((await http.request(url).response).fromCache).toBe(false);
        expect(hits(url)).toBe(2);
      });

      test('no-store in a request is not stored and removes an existing entry', async () => {
        const http = cachedClient();
        const url = path('fresh');
        await http.request(url);
        const bypass = await http.request(url, { headers: { 'cache-control': 'no-store' } }).response;
        expect(bypass.fromCache).toBe(false);
        expect((await http.request(url).response).fromCache).toBe(false);
        expect(hits(url)).toBe(3);
      });

      test.each([
        ['cache-control', 'no-cache'],
        ['pragma', 'no-cache'],
        ['cache-control', 'max-age=0'],
      ])('request %s: %s goes to the network', async (header, value) => {
        const http = cachedClient();
        const url = path('fresh');
        await http.request(url);
        expect((await http.request(url, { headers: { [header]: value } }).response).fromCache).toBe(false);
        expect(hits(url)).toBe(2);
      });

      test('only-if-cached with nothing stored gives a 504 without a network call', async () => {
        const http = cachedClient();
        const url = path('fresh');
        const response = await http.request(url, { headers: { 'cache-control': 'only-if-cached' } }).response;
        expect(response.status).toBe(504);
        expect(hits(url)).toBe(0);
        await http.request(url);
        const stored = await http.request(url, { headers: { 'cache-control': 'only-if-cached' } }).response;
        expect(stored.status).toBe(200);
        expect(stored.fromCache).toBe(true);
      });

      test('DELETE invalidates: the next GET goes to the network', async () => {
        const http = cachedClient();
        const url = path('resource');
        await http.request(url);
        expect((await http.request(url).response).fromCache).toBe(true);
        expect((await http.request(url, { method: 'DELETE' }).response).status).toBe(204);
        expect((await http.request(url).response).fromCache).toBe(false);
        expect(server.hits(new URL(url).pathname).map((s) => s.method)).toEqual(['GET', 'DELETE', 'GET']);
      });

      test('PUT sends If-Match with the cached ETag; the second PUT gets 412 (lost update)', async () => {
        const http = cachedClient();
        const url = path('updates');
        await http.request(url);
        expect((await http.request(url).response).fromCache).toBe(true);
        expect((await http.request(url, { method: 'PUT', body: 'one' }).response).status).toBe(200);
        expect((await http.request(url, { method: 'PUT', body: 'two' }).response).status).toBe(412);
        const puts = server.hits(new URL(url).pathname).filter((s) => s.method === 'PUT');
        expect(puts.map((s) => s.headers['if-match'])).toEqual(['"1"', undefined]);
      });

      test('PATCH is guarded too, and a caller-set If-Match wins', async () => {
        const http = cachedClient();
        const url = path('updates');
        await http.request(url);
        expect(
          (await http.request(url, { method: 'PATCH', headers: { 'if-match': '"0"' } }).response).status,
        ).toBe(412);
        await http.request(url);
        expect((await http.request(url, { method: 'PATCH', body: 'x' }).response).status).toBe(200);
      });

      test('HEAD is answered from a fresh GET entry', async () => {
        const http = cachedClient();
        const url = path('fresh');
        await http.request(url);
        const { response, content } = await http.request(url, { method: 'HEAD' });
        expect(response.fromCache).toBe(true);
        expect(content.byteLength).toBe(0);
        expect(hits(url)).toBe(1);
      });

      test('a Range request bypasses the cache', async () => {
        const http = cachedClient();
        const url = path('fresh');
        await http.request(url);
        expect((await http.request(url, { headers: { range: 'bytes=0-2' } }).response).fromCache).toBe(false);
        expect(hits(url)).toBe(2);
      });

      test.each(['moved', 'moved308'])(
        'a permanent redirect (%s) is remembered: straight to the target',
        async (kind) => {
          const http = cachedClient();
          const url = path(kind);
          const first = await http.request(url).response;
          expect(first.previous?.fromCache).toBe(false);
          const second = await http.request(url).response;
          expect(second.status).toBe(200);
          expect(second.previous?.status).toBe(kind === 'moved' ? 301 : 308);
          expect(second.previous?.fromCache).toBe(true);
          expect(hits(url)).toBe(1);
        },
      );

      test('identical concurrent GETs share one network request', async () => {
        const http = cachedClient();
        const url = path('slow');
        const all = await Promise.all(Array.from({ length: 5 }, () => http.request(url)));
        expect(all.map((r) => r.content.text())).toEqual(Array(5).fill('slow 1'));
        expect(hits(url)).toBe(1);
      });

      test('a store that throws is logged and treated as a miss', async () => {
        const warnings: string[] = [];
        const broken = {
          get: () => {
            throw new Error('disk on fire');
          },
          set: async () => {
            throw new Error('disk on fire');
          },
          delete: () => {},
        };
        const http = client({
          cache: broken,
          logger: { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) },
        });
        const url = path('fresh');
        expect((await http.request(url).response).status).toBe(200);
        expect((await http.request(url).response).fromCache).toBe(false);
        expect(warnings.some((w) => /disk on fire/.test(w))).toBe(true);
      });

      test('a cache that is not a CacheStore is refused', () => {
        expect(() => client({ cache: {} as never })).toThrow(/CacheStore/);
      });
    });

    testRfcCache(client);

    describe('bad options', () => {
      test.each([
        ['redirections', -1],
        ['redirections', 1.5],
        ['maxCompressionRatio', 0],
      ])('%s %o is a RangeError', (option, value) => {
        expect(() => client({ [option]: value })).toThrow(RangeError);
      });

      test.each(['followRedirects', 'followAllRedirects', 'forceExceptionToStatusCode'])(
        '%s must be a boolean',
        (option) => {
          expect(() => client({ [option]: 'yes' })).toThrow(TypeError);
          const http = client();
          expect(() => {
            (http as unknown as Record<string, unknown>)[option] = 1;
          }).toThrow(TypeError);
        },
      );

      test('a bad per-request redirections is an InvalidRequestError', async () => {
        expect((await failure(client().request(`${a}/echo`, { redirections: -2 }))).name).toBe(
          'InvalidRequestError',
        );
      });
    });

    testBadInput(create);

    testThreads(client);
  });
}
