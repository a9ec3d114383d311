// Interceptors (SPEC "Interceptors and the exchange pipeline"), through `Http` with a real adapter
// against a loopback server of their own: what they see, in which order, and what their failures become.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import {
  type Adapter,
  type AdapterRequest,
  Http,
  type HttpOptions,
  type Interceptor,
  MemoryCacheStore,
  TimeoutError,
} from '@asynchttp/core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
}

const gzipped = zlib.gzipSync(Buffer.from('interceptors see the wire'));

/** Registers the interceptor cases; called by `testBehaviour` so every adapter runs them. */
export function interceptorCases(create: () => Adapter): void {
  describe('interceptors', () => {
    let server: http.Server;
    let base: string;
    const hits: Hit[] = [];
    const counters = new Map<string, number>();
    const sockets = new Set<Socket>();
    const clients: Http[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    const client = (options: Omit<HttpOptions, 'adapter'> = {}) => {
      const made = new Http({ adapter: create(), logger: false, ...options });
      clients.push(made);
      return made;
    };

    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      server = http.createServer((req, res) => {
        const url = new URL(req.url!, 'http://x');
        hits.push({ path: url.pathname, headers: req.headers });
        const n = (counters.get(url.pathname) ?? 0) + 1;
        counters.set(url.pathname, n);
        req.resume();
        req.on('end', () => {
          const [, route] = url.pathname.split('/');
          if (route === 'redirect') {
            res.writeHead(302, { location: url.searchParams.get('to') ?? '/echo' }).end();
          } else if (route === 'flaky' && n <= Number(url.searchParams.get('fail') ?? 0)) {
            res.writeHead(503, { 'content-type': 'text/plain' }).end('again');
          } else if (route === 'token' && req.headers.authorization !== 'Bearer fresh') {
            res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('expired');
          } else if (route === 'gzip') {
            res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipped);
          } else if (route === 'fresh') {
            res
              .writeHead(200, { 'cache-control': 'max-age=300', 'content-type': 'text/plain' })
              .end('stored');
          } else {
            const body = JSON.stringify({ path: url.pathname, headers: req.headers });
            res.writeHead(200, { 'content-type': 'application/json' }).end(body);
          }
        });
      });
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    beforeEach(() => {
      hits.length = 0;
      counters.clear();
    });
    afterAll(async () => {
      await Promise.all(clients.map((each) => each.close({ cancelPending: true })));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Rejections are reported on the next turns; give them one before checking.
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled, 'no interceptor failure may escape as an unhandled rejection').toEqual([]);
    });

    const seen = (path: string) => hits.filter((hit) => hit.path === path);

    test('a header an interceptor adds reaches every exchange: each retry and each redirect hop', async () => {
      let calls = 0;
      const signed: Interceptor = (next) => (request) => {
        calls++;
        return next({
          ...request,
          headers: [...request.headers, ['x-signature', `sig-${request.url.pathname}`]],
        });
      };
      const response = await client({ interceptors: [signed], retry: { delay: 1, backoffLimit: 5 } }).request(
        `${base}/redirect?to=/flaky/a?fail=2`,
      ).response;
      expect(response.status).toBe(200);
      expect(response.attempts).toBe(3);
      expect(calls).toBe(4);
      expect(hits.map((hit) => hit.headers['x-signature'])).toEqual([
        'sig-/redirect',
        'sig-/flaky/a',
        'sig-/flaky/a',
        'sig-/flaky/a',
      ]);
    });

    test('interceptors run in array order: the first sees the request first and the response last', async () => {
      const order: string[] = [];
      const named =
        (name: string): Interceptor =>
        (next) =>
        async (request) => {
          order.push(`${name}>`);
          const response = await next(request);
          order.push(`<${name}`);
          return response;
        };
      await client({ interceptors: [named('a'), named('b'), named('c')] }).request(`${base}/echo`).response;
      expect(order).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
    });

    test('a mock answers without the network, and still goes through decoding and redirects', async () => {
      const sent: string[] = [];
      const spy: Adapter = {
        name: 'spy',
        send: (request) => {
          sent.push(request.url.href);
          return create().send(request);
        },
      };
      const mock: Interceptor = () => async (request) => {
        if (request.url.pathname === '/old') {
          return {
            status: 301,
            reason: 'Moved Permanently',
            headers: [['location', '/new']],
            body: new Uint8Array(),
          };
        }
        const body = new TextEncoder().encode(JSON.stringify({ mocked: request.url.pathname }));
        return { status: 200, reason: 'OK', headers: [['content-type', 'application/json']], body };
      };
      // Port 1: nothing listens there, so any real exchange would fail.
      const mocked = new Http({ adapter: spy, interceptors: [mock], logger: false });
      clients.push(mocked);
      const { response, content } = await mocked.request('http://127.0.0.1:1/old');
      expect(response.status).toBe(200);
      expect(response.url).toBe('http://127.0.0.1:1/new');
      expect(response.previous?.status).toBe(301);
      expect(content.json()).toEqual({ mocked: '/new' });
      expect(sent).toEqual([]);
    });

    test('a fresh cache hit makes no exchange, so no interceptor runs', async () => {
      let calls = 0;
      const counting: Interceptor = (next) => (request) => {
        calls++;
        return next(request);
      };
      const cached = client({ interceptors: [counting], cache: new MemoryCacheStore() });
      expect(await (await cached.request(`${base}/fresh`).content).text()).toBe('stored');
      const again = await cached.request(`${base}/fresh`).response;
      expect(again.fromCache).toBe(true);
      expect(calls).toBe(1);
      expect(seen('/fresh')).toHaveLength(1);
    });

    test('an interceptor may call next twice: a refreshed token after a 401', async () => {
      let token = 'stale';
      const refresh: Interceptor = (next) => async (request) => {
        const withToken = (value: string): AdapterRequest => ({
          ...request,
          headers: [...request.headers, ['authorization', `Bearer ${value}`]],
        });
        const response = await next(withToken(token));
        if (response.status !== 401) return response;
        token = 'fresh';
        return next(withToken(token));
      };
      const { response, content } = await client({ interceptors: [refresh] }).request(`${base}/token/x`);
      expect(response.status).toBe(200);
      expect(content.json<{ headers: Record<string, string> }>().headers.authorization).toBe('Bearer fresh');
      expect(seen('/token/x').map((hit) => hit.headers.authorization)).toEqual([
        'Bearer stale',
        'Bearer fresh',
      ]);
    });

    test('each call gets its own request: a change made in place never leaks into the next attempt', async () => {
      let n = 0;
      const mutating: Interceptor = (next) => (request) => {
        request.headers.push(['x-attempt', String(++n)]);
        return next(request);
      };
      const response = await client({
        interceptors: [mutating],
        retry: { delay: 1, backoffLimit: 5 },
      }).request(`${base}/flaky/b?fail=2`).response;
      expect(response.status).toBe(200);
      expect(seen('/flaky/b').map((hit) => hit.headers['x-attempt'])).toEqual(['1', '2', '3']);
    });

    test('interceptors see the exchange before decoding: the encoded body and its content-encoding', async () => {
      let wire: { encoding: string | undefined; bytes: number } | undefined;
      const peek: Interceptor = (next) => async (request) => {
        const response = await next(request);
        const encoding = response.headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
        if (!response.decoded) wire = { encoding, bytes: (response.body as Uint8Array).byteLength };
        return response;
      };
      const { content } = await client({ interceptors: [peek] }).request(`${base}/gzip`);
      expect(content.text()).toBe('interceptors see the wire');
      // An adapter whose library decodes (fetch) hands up a decoded body; the others the wire bytes.
      if (wire !== undefined) expect(wire).toEqual({ encoding: 'gzip', bytes: gzipped.byteLength });
    });

    test('a foreign error thrown by an interceptor becomes a ConnectionError naming it, with the error as cause', async () => {
      const boom = new Error('boom');
      const failing: Interceptor = () => () => {
        throw boom;
      };
      const error = await client({ interceptors: [(next) => next, failing], retry: false })
        .request(`${base}/echo`)
        .response.then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(error?.name).toBe('ConnectionError');
      expect(error?.message).toMatch(/interceptor 1/i);
      expect(error?.cause).toBe(boom);
      expect(seen('/echo')).toHaveLength(0);
    });

    test('an AsyncHttpError thrown by an interceptor passes through as the same object', async () => {
      const own = new TimeoutError('made by the interceptor');
      const failing: Interceptor = () => () => Promise.reject(own);
      const error = await client({ interceptors: [failing], retry: false })
        .request(`${base}/echo`)
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
      expect(error).toBe(own);
    });

    test('a Send that resolves to something else, or a factory that returns no function, fails with a ConnectionError naming the index', async () => {
      const garbage: Interceptor = () => async () => ({ status: 'ok' }) as never;
      const notAFunction = (() => 42) as unknown as Interceptor;
      const first = await client({ interceptors: [(next) => next, garbage] })
        .request(`${base}/echo`)
        .then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(first?.name).toBe('ConnectionError');
      expect(first?.message).toMatch(/interceptor 1 returned an invalid response/i);
      const second = await client({ interceptors: [notAFunction] })
        .request(`${base}/echo`)
        .then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(second?.name).toBe('ConnectionError');
      expect(second?.message).toMatch(/interceptor 0 is not an interceptor/i);
      expect(seen('/echo')).toHaveLength(0);
    });

    test('interceptors that are not an array of functions are a TypeError at construction, naming the index', () => {
      expect(() => client({ interceptors: 'x' as never })).toThrow(/interceptors must be an array/);
      expect(() => client({ interceptors: [1] as never })).toThrow(/interceptors\[0\]/);
      expect(() => client({ interceptors: [(next: never) => next, null] as never })).toThrow(TypeError);
      expect(() => client({ interceptors: [(next: never) => next, null] as never })).toThrow(
        /interceptors\[1\]/,
      );
    });

    test('time in interceptors counts toward the timeout, and request.signal aborts when it runs out', async () => {
      let aborted: unknown;
      const slow: Interceptor = (next) => async (request) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          request.signal.addEventListener('abort', () => {
            aborted = request.signal.reason;
            clearTimeout(timer);
            resolve();
          });
        });
        return next(request);
      };
      const started = performance.now();
      const error = await client({ interceptors: [slow], timeout: 200, retry: false })
        .request(`${base}/echo`)
        .then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(error?.name).toBe('TimeoutError');
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(aborted).toBe(error);
    });
  });
}
