import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Http, HttpOptions } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** What the server saw of one request. */
interface Seen {
  /** The request target exactly as it came on the wire. */
  target: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Requests served on the same socket before this one. */
  onSocket: number;
}

/** Two loopback servers (two origins) recording every request they get. */
async function startServers() {
  const seen: Seen[] = [];
  const perSocket = new WeakMap<object, number>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const onSocket = perSocket.get(req.socket) ?? 0;
      perSocket.set(req.socket, onSocket + 1);
      const body = Buffer.concat(chunks).toString();
      const target = req.url ?? '';
      seen.push({ target, method: req.method ?? '', headers: req.headers, body, onSocket });
      route(req, res, target, onSocket, body);
    });
  };
  const route = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: string,
    onSocket: number,
    body: string,
  ) => {
    const path = target.split('?')[0]!;
    const query = new URLSearchParams(target.split('?')[1] ?? '');
    // Only /keep-alive/* lets a socket be reused, so every other test runs on fresh connections.
    const close = !path.startsWith('/keep-alive/');
    const send = (status: number, text = '', headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        ...(close ? { connection: 'close' } : {}),
        ...headers,
      });
      res.end(text);
    };
    const echo = () => send(200, JSON.stringify({ target, method: req.method, headers: req.headers, body }));
    if (path.startsWith('/to')) {
      // /to?status=302&location=<raw>: a redirect whose Location is sent byte for byte (Latin-1 string).
      return send(Number(query.get('status') ?? 302), '', { location: query.get('location')! });
    }
    if (path === '/utf8') {
      // The UTF-8 bytes of "/café" as they come on the wire, each byte one Latin-1 character.
      return send(302, '', { location: Buffer.from('/café', 'utf8').toString('latin1') });
    }
    if (path === '/latin1') return send(302, '', { location: '/caf\u00e9' });
    if (path.startsWith('/echo') || path === '/caf%C3%A9') return echo();
    if (path.startsWith('/truncated')) {
      // content-length 100, 40 bytes, then FIN: the server did get and answer the request.
      res.socket!.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n');
      res.socket!.end('x'.repeat(40));
      return;
    }
    if (path.startsWith('/destroy')) {
      // Closes a fresh connection without a byte of response: it may have acted on the request.
      req.socket.destroy();
      return;
    }
    if (path.startsWith('/keep-alive/drop-second')) {
      if (onSocket >= 1) {
        req.socket.destroy();
        return;
      }
      return send(200, '"fresh"');
    }
    if (path.startsWith('/retry-after')) {
      return send(503, '"later"', { 'retry-after': query.get('s') ?? '2592000' });
    }
    return send(404, '"not found"');
  };
  const servers = [http.createServer(handler), http.createServer(handler)];
  await Promise.all(
    servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))),
  );
  const urls = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    urls,
    seen,
    hits: (prefix: string) => seen.filter((s) => s.target.startsWith(prefix)),
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      ),
  };
}

/**
 * RFC 9110 redirect rules (§10.2.2 fragments, §15.4 method and header rewriting, credentials across
 * origins, raw UTF-8 Locations) and the resend rules (a request goes out twice only when a reused
 * connection was dropped before any response byte; no wait overflows a timer), run by `testBehaviour`
 * on every adapter.
 */
export function testRfcRedirects(client: (options?: Omit<HttpOptions, 'adapter'>) => Http): void {
  let server: Awaited<ReturnType<typeof startServers>>;
  let a: string;
  let b: string;
  const to = (location: string, status = 302) =>
    `${a}/to?status=${status}&location=${encodeURIComponent(location)}`;
  type Echo = { target: string; method: string; headers: Record<string, string>; body: string };

  beforeAll(async () => {
    server = await startServers();
    [a, b] = server.urls as [string, string];
  });
  afterAll(() => server.close());

  describe('RFC 9110 redirects', () => {
    test("§10.2.2: a Location without a fragment inherits the request's; no fragment goes on the wire", async () => {
      const { response, content } = await client().request(`${to('/echo/b')}#part-2`);
      expect(response.url).toBe(`${a}/echo/b#part-2`);
      expect(content.json<Echo>().target).toBe('/echo/b');
      const own = await client().request(`${to('/echo/c#own')}#part-2`).response;
      expect(own.url).toBe(`${a}/echo/c#own`);
      expect(server.seen.every((s) => !s.target.includes('#'))).toBe(true);
    });

    test('a Location of raw UTF-8 bytes is read as UTF-8 (/café → /caf%C3%A9), as browsers do', async () => {
      const { response, content } = await client().request(`${a}/utf8`);
      expect(response.status).toBe(200);
      expect(response.url).toBe(`${a}/caf%C3%A9`);
      expect(content.json<Echo>().target).toBe('/caf%C3%A9');
      // A Location that is not valid UTF-8 is taken as the Latin-1 it is.
      expect((await client().request(`${a}/latin1`).response).url).toBe(`${a}/caf%C3%A9`);
    });

    test('credentials (authorization, proxy-authorization, cookie) never reach another origin', async () => {
      const headers = {
        authorization: 'Bearer t',
        'proxy-authorization': 'Basic cHJveHk6cA==',
        cookie: 'id=1',
      };
      const cross = await client().request(to(`${b}/echo/x`, 307), { headers }).content;
      const sent = cross.json<Echo>().headers;
      expect(sent.authorization).toBeUndefined();
      expect(sent['proxy-authorization']).toBeUndefined();
      expect(sent.cookie).toBeUndefined();
      // Same origin: the proxy's credentials and the caller's cookie stay (authorization goes on every hop).
      const same = (await client().request(to('/echo/y', 307), { headers }).content).json<Echo>().headers;
      expect(same.authorization).toBeUndefined();
      expect(same['proxy-authorization']).toBe(headers['proxy-authorization']);
      expect(same.cookie).toBe('id=1');
    });

    test.each([302, 303])(
      '§15.4.3/§15.4.4: a %i that turns POST into GET drops the body and every content-* field',
      async (status) => {
        const { content } = await client({ followAllRedirects: true }).request(to('/echo/get', status), {
          method: 'POST',
          body: '{"a":1}',
          headers: {
            'content-type': 'application/json',
            'content-language': 'en',
            'content-location': '/doc',
            'content-encoding': 'identity',
            'content-md5': 'x',
            'x-kept': 'yes',
          },
        });
        const echo = content.json<Echo>();
        expect(echo.method).toBe('GET');
        expect(echo.body).toBe('');
        expect(Object.keys(echo.headers).filter((name) => name.startsWith('content-'))).toEqual([]);
        expect(echo.headers['x-kept']).toBe('yes');
      },
    );

    test('§15.4.8: a 307 keeps method, body and its content-* fields', async () => {
      const { content } = await client({ followAllRedirects: true }).request(to('/echo/keep', 307), {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json', 'content-language': 'en' },
      });
      const echo = content.json<Echo>();
      expect([echo.method, echo.body, echo.headers['content-type']]).toEqual([
        'POST',
        '{"a":1}',
        'application/json',
      ]);
      expect(echo.headers['content-language']).toBe('en');
    });
  });

  describe('sent once, and waits that fit a timer', () => {
    test('a body cut short on a fresh connection is not sent again with retry off', async () => {
      const error = await client({ retry: false })
        .request(`${a}/truncated/1`)
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.name).toBe('ConnectionError');
      expect(server.hits('/truncated/1')).toHaveLength(1);
    });

    test('a fresh connection closed before any response byte is not sent again with retry off', async () => {
      const error = await client({ retry: false })
        .request(`${a}/destroy/1`)
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.name).toBe('ConnectionError');
      expect(server.hits('/destroy/1')).toHaveLength(1);
    });

    test('a reused keep-alive connection dropped before any response byte is retried once for GET', async () => {
      const http = client({ retry: false, maxWorkers: 1 });
      expect((await http.request(`${a}/keep-alive/drop-second/1`).response).status).toBe(200);
      // Let the pool take the socket back as idle; a request sent at once may get a second connection.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await http.request(`${a}/keep-alive/drop-second/1`).response;
      expect(again.status).toBe(200);
      const hits = server.hits('/keep-alive/drop-second/1');
      expect(hits.map((hit) => hit.onSocket)).toEqual([0, 1, 0]);
    });

    test('a Retry-After past what a timer holds returns the response, with no TimeoutOverflowWarning', async () => {
      const warnings: string[] = [];
      const listen = (warning: Error) => warnings.push(warning.name);
      process.on('warning', listen);
      try {
        const started = performance.now();
        const response = await client({ retry: { maxRetryAfter: 1e10 } }).request(
          `${a}/retry-after/1?s=2592000`,
        ).response;
        expect(response.status).toBe(503);
        expect(server.hits('/retry-after/1')).toHaveLength(1);
        expect(performance.now() - started).toBeLessThan(5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(warnings).not.toContain('TimeoutOverflowWarning');
      } finally {
        process.off('warning', listen);
      }
    });

    test('timers from options are checked at construction: past 2^31 - 1 ms is a RangeError naming the option', async () => {
      expect(() => client({ timeout: 2 ** 31 })).toThrow(/timeout/);
      expect(() => client({ timeout: 2 ** 31 })).toThrow(RangeError);
      expect(() => client({ retry: { delay: 2 ** 31 } })).toThrow(/retry\.delay/);
      expect(() => client({ retry: { backoffLimit: Number.POSITIVE_INFINITY } })).toThrow(
        /retry\.backoffLimit/,
      );
      const http = client();
      expect(() => {
        http.timeout = 3e9;
      }).toThrow(RangeError);
      expect(http.timeout).not.toBe(3e9);
      const perRequest = await http.request(`${a}/echo/t`, { timeout: 3e9 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(perRequest?.name).toBe('InvalidRequestError');
      expect(
        (await client({ timeout: Number.POSITIVE_INFINITY }).request(`${a}/echo/t`).response).status,
      ).toBe(200);
    });
  });
}
