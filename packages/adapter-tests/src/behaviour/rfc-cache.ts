// RFC 9111 rules the cache applies wherever it decides: directive names in any case (§5.2, §5.4) and
// age counted from the response's Date (§4.2.1, §4.2.3), as httplib2 does. Each test's server sends
// the headers named in its query, so a test reads as the exchange it checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Http, type HttpOptions, MemoryCacheStore } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** Makes a client that the calling suite closes. */
export type RfcCacheClient = (options: Omit<HttpOptions, 'adapter'>) => Http;

interface RfcCacheServer {
  url: string;
  hits(path: string): http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * Query of a request to this server: `cc` (Cache-Control), `pragma`, `etag`, `age`, `date` (seconds
 * from now, or `invalid`), `expires` (seconds from the sent Date). A request whose If-None-Match
 * matches `etag` gets a 304 carrying the same fields, dated now.
 */
async function startRfcCacheServer(): Promise<RfcCacheServer> {
  const seen = new Map<string, http.IncomingHttpHeaders[]>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const list = seen.get(url.pathname) ?? [];
    list.push(req.headers);
    seen.set(url.pathname, list);
    const q = url.searchParams;
    const etag = q.get('etag');
    const revalidated = etag !== null && req.headers['if-none-match'] === etag;
    const now = Date.now();
    const offset = q.get('date');
    const date = revalidated || offset === null ? now : now + Number(offset) * 1000;
    const headers: Record<string, string> = {
      'content-type': 'text/plain',
      date: offset === 'invalid' && !revalidated ? 'not a date' : new Date(date).toUTCString(),
    };
    if (q.has('cc')) headers['cache-control'] = q.get('cc')!;
    if (q.has('pragma')) headers.pragma = q.get('pragma')!;
    if (q.has('age') && !revalidated) headers.age = q.get('age')!;
    if (q.has('expires')) headers.expires = new Date(date + Number(q.get('expires')) * 1000).toUTCString();
    if (etag !== null) headers.etag = etag;
    res.writeHead(revalidated ? 304 : 200, headers);
    res.end(revalidated ? undefined : `body ${list.length}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => seen.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Registers the RFC 9111 cache-rule tests on a `MemoryCacheStore`, each with its own resource.
 *
 * @example
 * ```ts
 * testRfcCache((options) => client(options));
 * ```
 */
export function testRfcCache(client: RfcCacheClient): void {
  describe('cache: RFC 9111 rules', () => {
    let server: RfcCacheServer;
    let n = 0;
    beforeAll(async () => {
      server = await startRfcCacheServer();
    });
    afterAll(() => server.close());

    const resource = (query: Record<string, string | number>) => {
      const path = `/r${++n}`;
      const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
      return { url: `${server.url}${path}?${search}`, hits: () => server.hits(path).length, path };
    };
    const cached = () => client({ cache: new MemoryCacheStore() });
    /** Two GETs; the second's response, with how many reached the server. */
    const twice = async (url: string, headers: Record<string, string> = {}) => {
      const http = cached();
      await http.request(url).response;
      return http.request(url, { headers }).response;
    };

    describe('directive names are case-insensitive (§5.2)', () => {
      test('response `Max-Age=300` makes a fresh entry', async () => {
        const r = resource({ cc: 'Max-Age=300' });
        expect((await twice(r.url)).fromCache).toBe(true);
        expect(r.hits()).toBe(1);
      });

      test('response `max-age=300, No-Cache` is revalidated', async () => {
        const r = resource({ cc: 'max-age=300, No-Cache', etag: '"a"' });
        const second = await twice(r.url);
        expect(second.fromCache).toBe(true);
        expect(r.hits()).toBe(2);
        expect(server.hits(r.path)[1]!['if-none-match']).toBe('"a"');
      });

      test('response `NO-STORE` is not stored', async () => {
        const r = resource({ cc: 'NO-STORE, max-age=300' });
        expect((await twice(r.url)).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('a quoted argument keeps its commas: `Max-Age=300, Private="Set-Cookie, X-A"` is fresh', async () => {
        const r = resource({ cc: 'Max-Age=300, Private="Set-Cookie, X-A"' });
        expect((await twice(r.url)).fromCache).toBe(true);
        expect(r.hits()).toBe(1);
      });

      test('response `Pragma: No-Cache` without Cache-Control is revalidated (§5.4)', async () => {
        const r = resource({ pragma: 'No-Cache', expires: 300, etag: '"p"' });
        await twice(r.url);
        expect(r.hits()).toBe(2);
      });

      test.each([
        ['cache-control', 'No-Cache'],
        ['cache-control', 'Max-Age=0'],
        ['pragma', 'No-Cache'],
      ])('request `%s: %s` revalidates a fresh entry (§5.2.1)', async (name, value) => {
        const r = resource({ cc: 'max-age=300', etag: '"q"' });
        const second = await twice(r.url, { [name]: value });
        expect(second.fromCache).toBe(true);
        expect(r.hits()).toBe(2);
        expect(server.hits(r.path)[1]!['if-none-match']).toBe('"q"');
      });

      test('request `No-Store` is not stored (§5.2.1.5)', async () => {
        const r = resource({ cc: 'max-age=300' });
        const http = cached();
        await http.request(r.url, { headers: { 'cache-control': 'No-Store' } }).response;
        expect((await http.request(r.url).response).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('request `Only-If-Cached` with nothing stored gives a 504 (§5.2.1.7)', async () => {
        const r = resource({ cc: 'max-age=300' });
        const response = await cached().request(r.url, { headers: { 'cache-control': 'Only-If-Cached' } })
          .response;
        expect(response.status).toBe(504);
        expect(r.hits()).toBe(0);
      });
    });

    describe('age counts from the response Date (§4.2.3)', () => {
      test('`max-age=300` dated an hour ago is stale on arrival', async () => {
        const r = resource({ cc: 'max-age=300', date: -3600 });
        expect((await twice(r.url)).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('`max-age=300` dated 100 s ago is fresh, served with an Age of at least 100', async () => {
        const r = resource({ cc: 'max-age=300', date: -100 });
        const second = await twice(r.url);
        expect(second.fromCache).toBe(true);
        expect(Number(second.get('age'))).toBeGreaterThanOrEqual(100);
        expect(Number(second.get('age'))).toBeLessThan(300);
      });

      test('Expires counts from Date (§4.2.1): Date an hour ago, Expires = Date + 300 is stale', async () => {
        const r = resource({ date: -3600, expires: 300 });
        expect((await twice(r.url)).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('Expires counts from Date (§4.2.1): a server clock an hour ahead, Expires = Date + 300 is fresh', async () => {
        const r = resource({ date: 3600, expires: 300 });
        expect((await twice(r.url)).fromCache).toBe(true);
        expect(r.hits()).toBe(1);
      });

      test('a Date in the future (clock skew) gives an apparent age of 0', async () => {
        const r = resource({ cc: 'max-age=300', date: 3600 });
        const second = await twice(r.url);
        expect(second.fromCache).toBe(true);
        expect(Number(second.get('age'))).toBeLessThan(60);
      });

      test('an invalid Date counts as the time received (RFC 9110 §6.6.1)', async () => {
        const r = resource({ cc: 'max-age=300', date: 'invalid' });
        const second = await twice(r.url);
        expect(second.fromCache).toBe(true);
        expect(Number(second.get('age'))).toBeLessThan(60);
      });

      test('an Age header larger than the apparent age wins: `Age: 400` with `max-age=300` is stale', async () => {
        const r = resource({ cc: 'max-age=300', age: 400 });
        expect((await twice(r.url)).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('the apparent age wins over a smaller Age header: `Age: 10`, Date an hour ago is stale', async () => {
        const r = resource({ cc: 'max-age=300', age: 10, date: -3600 });
        expect((await twice(r.url)).fromCache).toBe(false);
        expect(r.hits()).toBe(2);
      });

      test('a 304 dated now makes an entry that arrived stale fresh again (§4.3.4)', async () => {
        const r = resource({ cc: 'max-age=300', date: -3600, etag: '"v"' });
        const http = cached();
        await http.request(r.url).response;
        expect((await http.request(r.url).response).fromCache).toBe(true);
        expect(r.hits()).toBe(2);
        const third = await http.request(r.url).response;
        expect(third.fromCache).toBe(true);
        expect(r.hits()).toBe(2);
        expect(Number(third.get('age'))).toBeLessThan(60);
      });
    });
  });
}
