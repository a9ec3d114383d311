import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import {
  type Adapter,
  CancelledError,
  ConnectionError,
  Http,
  type HttpOptions,
  InvalidRequestError,
  MemoryCacheStore,
  ResponseTooLargeError,
  TimeoutError,
} from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// Byte i of every patterned body is i % 251: a prime, so a chunk lost, repeated or reordered shows.
const period = 251;
const slab = Buffer.from(Array.from({ length: 64 * 1024 + period }, (_, i) => i % period));

/** `length` patterned bytes starting at `offset`, as one Buffer (for the expected side of a check). */
export function pattern(length: number, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % period;
  return out;
}

/** `length` pseudo-random bytes (xorshift, fixed seed): a gzip body that compresses like real data, not 250:1. */
export function noise(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = 2463534242;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    // Every other byte from a small alphabet: compressible, as text is, yet far below the bomb ratio.
    out[i] = i % 2 === 0 ? (x >>> 0) & 0xff : 97 + ((x >>> 8) & 3);
  }
  return out;
}

/** Writes `length` patterned bytes to `res` with backpressure; resolves when written or the client left. */
export async function writePattern(res: ServerResponse, length: number): Promise<void> {
  let sent = 0;
  while (sent < length && !res.destroyed) {
    const size = Math.min(64 * 1024, length - sent);
    const start = sent % period;
    sent += size;
    if (!res.write(slab.subarray(start, start + size))) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
}

interface StreamServer {
  url: string;
  /** Requests seen per path (without query). */
  hits(path: string): number;
  /** Resolves when the connection of the latest `/hold` request closes. */
  holdClosed(): Promise<void>;
  /** Lets every held response finish. */
  release(): void;
  /** What `/upload` and `/upload-307`'s target received: length and sha256, or that it was cut. */
  uploads: { length: number; sha256: string; aborted: boolean }[];
  close(): Promise<void>;
}

function startStreamServer(): Promise<StreamServer> {
  const hits = new Map<string, number>();
  const uploads: StreamServer['uploads'] = [];
  let releases: (() => void)[] = [];
  let lastHoldClosed: Promise<void> = Promise.resolve();
  const flaky = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const { pathname, searchParams } = url;
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    const n = Number(searchParams.get('n') ?? '0');
    route(req, res, pathname, searchParams, n).catch(() => res.destroy());
  });
  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    params: URLSearchParams,
    n: number,
  ): Promise<void> {
    switch (pathname) {
      case '/bytes':
        res.writeHead(200, { 'content-length': n, 'content-type': 'application/octet-stream' });
        await writePattern(res, n);
        return void res.end();
      case '/gzip': {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        const gzip = createGzip();
        gzip.pipe(res);
        const body = noise(n);
        for (let sent = 0; sent < n; sent += 64 * 1024) {
          if (!gzip.write(body.subarray(sent, sent + 64 * 1024))) {
            await new Promise((resolve) => gzip.once('drain', resolve));
          }
        }
        return void gzip.end();
      }
      case '/hold': {
        // Headers and a first chunk, then nothing until the test releases it.
        res.writeHead(200, { 'content-length': 2 * n });
        lastHoldClosed = new Promise((resolve) => res.once('close', () => resolve()));
        await writePattern(res, n);
        await new Promise<void>((resolve) => {
          releases.push(resolve);
          res.once('close', resolve);
        });
        if (res.destroyed) return;
        res.write(pattern(n, n));
        return void res.end();
      }
      case '/trickle': {
        const gap = Number(params.get('gap'));
        const chunks = Number(params.get('chunks'));
        res.writeHead(200, { 'content-length': chunks * 10 });
        for (let i = 0; i < chunks && !res.destroyed; i++) {
          await new Promise((resolve) => setTimeout(resolve, gap));
          res.write(pattern(10, i * 10));
        }
        return void res.end();
      }
      case '/cacheable':
        res.writeHead(200, { 'cache-control': 'max-age=600', 'content-length': n });
        await writePattern(res, n);
        return void res.end();
      case '/redirect':
        res.writeHead(Number(params.get('code') ?? 302), { location: params.get('to') ?? '/' });
        return void res.end('moved');
      case '/auth':
        if (req.headers.authorization !== `Basic ${Buffer.from('ann:secret').toString('base64')}`) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
          return void res.end('who are you?');
        }
        res.writeHead(200, { 'content-length': n });
        await writePattern(res, n);
        return void res.end();
      case '/flaky': {
        // 503 on the first request of each key, then the body.
        const key = params.get('key') ?? '';
        const seen = flaky.get(key) ?? 0;
        flaky.set(key, seen + 1);
        await drain(req);
        if (seen === 0) {
          res.writeHead(503, { 'retry-after': '0' });
          return void res.end('try again');
        }
        res.writeHead(200, { 'content-length': n });
        await writePattern(res, n);
        return void res.end();
      }
      case '/upload': {
        const hash = createHash('sha256');
        let length = 0;
        let aborted = false;
        req.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          length += chunk.length;
        });
        await new Promise<void>((resolve) => {
          req.once('end', resolve);
          req.once('close', () => {
            aborted = !req.complete;
            resolve();
          });
        });
        const seen = { length, sha256: hash.digest('hex'), aborted };
        uploads.push(seen);
        if (aborted) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(seen));
      }
      default:
        res.writeHead(404);
        return void res.end();
    }
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits: (path) => hits.get(path) ?? 0,
        holdClosed: () => lastHoldClosed,
        release: () => {
          for (const each of releases) each();
          releases = [];
        },
        uploads,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function rejection(promise: PromiseLike<unknown>): Promise<Error & Record<string, any>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, any>;
  }
  throw new Error('expected a failure');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Waits until `check()` holds, polling each tick, failing after `ms`. */
async function until(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Streaming bodies (`stream: true` and stream, Blob and generator uploads) through `Http` on the given
 * adapter, against a loopback server of its own: settling at the headers, decoding as it comes, the
 * worker slot held until the body ends and freed by either cancel, the idle timeout, whole-body reads
 * and their limit, one read only, no caching, redirects, credentials and retries before the stream,
 * and uploads sent byte-exact, once.
 */
export function streamingCases(create: () => Adapter): void {
  describe('streaming bodies', () => {
    let server: StreamServer;
    const clients: Http[] = [];
    const client = (options: Omit<HttpOptions, 'adapter'> = {}) => {
      const http = new Http({ adapter: create(), logger: false, ...options });
      clients.push(http);
      return http;
    };
    beforeAll(async () => {
      server = await startStreamServer();
    });
    afterAll(async () => {
      server.release();
      await Promise.all(clients.map((http) => http.close({ cancelPending: true })));
      await server.close();
    });

    test('content settles at the headers; the body streams as the server sends it', async () => {
      const http = client();
      const half = 100_000;
      const request = http.request(`${server.url}/hold?n=${half}`, { stream: true });
      const content = await request.content;
      expect(content.streamed).toBe(true);
      expect((await request.response).get('content-length')).toBe(String(2 * half));
      const reader = content.stream().getReader();
      let received = 0;
      const chunks: Uint8Array[] = [];
      while (received < half) {
        const { value } = await reader.read();
        chunks.push(value!);
        received += value!.byteLength;
      }
      expect(received).toBe(half);
      server.release();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
      expect(Buffer.concat(chunks).equals(pattern(2 * half))).toBe(true);
      expect(content.byteLength).toBe(2 * half);
    });

    test('a gzip body is decoded as it streams, and reports decodedFrom', async () => {
      const size = 3 * 1024 * 1024 + 17;
      const { response, content } = await client().request(`${server.url}/gzip?n=${size}`, {
        stream: true,
      });
      expect(response.decodedFrom).toBe('gzip');
      const body = await readAll(content.stream());
      expect(body.byteLength).toBe(size);
      expect(body.equals(noise(size))).toBe(true);
    });

    test('the worker slot is held while the body streams and freed at once by stream.cancel()', async () => {
      const http = client({ maxWorkers: 1 });
      const streaming = http.request(`${server.url}/hold?n=1000`, { stream: true });
      const content = await streaming.content;
      const next = http.request(`${server.url}/bytes?n=10`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(http.pending).toBe(1);
      expect(http.size).toBe(1);
      expect(next.done()).toBe(false);
      const closed = server.holdClosed();
      const stream = content.stream();
      await stream.getReader().cancel('enough');
      expect(http.pending + http.size).toBeLessThanOrEqual(1);
      expect((await next.content).byteLength).toBe(10);
      await closed;
    });

    test('request.cancel() while the body streams errors the stream with CancelledError and frees the slot', async () => {
      const http = client({ maxWorkers: 1 });
      const streaming = http.request(`${server.url}/hold?n=1000`, { stream: true });
      const reader = (await streaming.content).stream().getReader();
      await reader.read();
      const closed = server.holdClosed();
      expect(streaming.cancel()).toBe(true);
      expect(await rejection(reader.read())).toBeInstanceOf(CancelledError);
      expect(http.pending).toBe(0);
      expect(streaming.cancel()).toBe(false);
      await closed;
    });

    test('timeout bounds each gap between chunks, not the whole body', async () => {
      const http = client({ timeout: 400, retry: false });
      // Ten chunks 100 ms apart: a second in all, well past the timeout, yet never a gap of 400 ms.
      const trickle = http.request(`${server.url}/trickle?chunks=10&gap=100`, { stream: true });
      const body = await readAll(await trickle.content.stream());
      expect(body.equals(pattern(100))).toBe(true);
      const stalled = http.request(`${server.url}/hold?n=100`, { stream: true });
      const started = Date.now();
      const error = await rejection(readAll((await stalled.content).stream()));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      await until(() => http.pending === 0, 'the slot to be freed');
    });

    test('bytes(), text() and json() read the body whole, bounded by maxResponseBytes; stream() is not', async () => {
      const http = client({ maxResponseBytes: 5000 });
      const small = await http.request(`${server.url}/bytes?n=4000`, { stream: true }).content.bytes();
      expect(Buffer.from(small).equals(pattern(4000))).toBe(true);
      const big = http.request(`${server.url}/bytes?n=9000`, { stream: true });
      expect(await rejection(big.content.text())).toBeInstanceOf(ResponseTooLargeError);
      await until(() => http.pending === 0, 'the slot to be freed');
      const streamed = await readAll(
        http.request(`${server.url}/bytes?n=9000`, { stream: true }).content.stream(),
      );
      expect(streamed.equals(pattern(9000))).toBe(true);
      const loaded = await (await http.request(`${server.url}/bytes?n=300`, { stream: true }).content).load();
      expect(Buffer.from(loaded.bytes()).equals(pattern(300))).toBe(true);
      const unread = await http.request(`${server.url}/bytes?n=300`, { stream: true }).content;
      expect(() => unread.text()).toThrow(/streamed.*load\(\)/);
      await unread.stream().cancel();
    });

    test('a streamed body can be read once: a second stream() throws a clear error', async () => {
      const request = client().request(`${server.url}/bytes?n=100`, { stream: true });
      const first = request.content.stream();
      expect(() => request.content.stream()).toThrow(/read once/);
      expect((await readAll(first)).equals(pattern(100))).toBe(true);
      const content = await request.content;
      expect(() => content.stream()).toThrow(/already read/);
    });

    test('a streamed response is never stored in the cache', async () => {
      const http = client({ cache: new MemoryCacheStore() });
      const before = server.hits('/cacheable');
      const streamed = await http.request(`${server.url}/cacheable?n=50`, { stream: true }).content;
      expect((await readAll(streamed.stream())).equals(pattern(50))).toBe(true);
      const buffered = await http.request(`${server.url}/cacheable?n=50`);
      expect(buffered.response.fromCache).toBe(false);
      expect(server.hits('/cacheable')).toBe(before + 2);
      // The buffered one was stored: the same resource is cacheable, only streaming skipped it.
      expect((await http.request(`${server.url}/cacheable?n=50`)).response.fromCache).toBe(true);
    });

    test('redirects, credentials and retries happen before the stream; only the final body streams', async () => {
      const http = client({ retry: { limit: 2, delay: 1 } });
      http.addCredentials('ann', 'secret');
      const to = encodeURIComponent('/auth?n=7000');
      const { response, content } = await http.request(`${server.url}/redirect?code=302&to=${to}`, {
        stream: true,
      });
      expect(response.status).toBe(200);
      expect(response.previous?.status).toBe(302);
      expect((await readAll(content.stream())).equals(pattern(7000))).toBe(true);
      const retried = await http.request(`${server.url}/flaky?key=${Math.random()}&n=5000`, { stream: true });
      expect(retried.response.attempts).toBe(2);
      expect((await readAll(retried.content.stream())).equals(pattern(5000))).toBe(true);
      await until(() => http.pending === 0, 'every slot to be freed');
    });

    test('stream, Blob and async generator uploads arrive byte-exact', async () => {
      const http = client();
      const size = 1024 * 1024 + 3;
      const bytes = pattern(size);
      const expected = { length: size, sha256: sha256(bytes), aborted: false };
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < size; at += 100_000) controller.enqueue(bytes.subarray(at, at + 100_000));
          controller.close();
        },
      });
      async function* generate() {
        for (let at = 0; at < size; at += 70_000) yield bytes.subarray(at, at + 70_000);
      }
      for (const body of [stream, new Blob([bytes as Uint8Array<ArrayBuffer>]), generate()]) {
        const { content } = await http.request(`${server.url}/upload`, { method: 'POST', body });
        expect(content.json()).toEqual(expected);
      }
    });

    test('a one-shot body is refused on a 307 and on a retry; a Blob may be sent again', async () => {
      const http = client({ followAllRedirects: true, retry: { limit: 2, delay: 1 } });
      const body = () => new Blob(['twice']).stream();
      const redirected = http.request(`${server.url}/redirect?code=307&to=/upload`, {
        method: 'POST',
        body: body(),
      });
      const refused = await rejection(redirected);
      expect(refused).toBeInstanceOf(InvalidRequestError);
      expect(refused.message).toMatch(/307 redirect/);
      const retried = http.request(`${server.url}/flaky?key=${Math.random()}&n=1`, {
        method: 'PUT',
        body: body(),
      });
      const again = await rejection(retried);
      expect(again).toBeInstanceOf(InvalidRequestError);
      expect(again.message).toMatch(/retry after status 503/);
      const blob = await http.request(`${server.url}/redirect?code=307&to=/upload`, {
        method: 'POST',
        body: new Blob(['twice']),
      });
      expect(blob.content.json()).toMatchObject({ length: 5, sha256: sha256(Buffer.from('twice')) });
      expect(http.pending).toBe(0);
    });

    test('an upload stream that fails mid-way fails the request with it as cause, closes the connection, frees the slot', async () => {
      const http = client({ maxWorkers: 1 });
      const boom = new Error('disk gone');
      const seen = server.uploads.length;
      let sent = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            // A few chunks go out first, so the failure comes in the middle of the upload.
            if (++sent > 4) return controller.error(boom);
            await new Promise((resolve) => setTimeout(resolve, 10));
            controller.enqueue(pattern(64 * 1024));
          },
        },
        { highWaterMark: 0 },
      );
      const error = await rejection(http.request(`${server.url}/upload`, { method: 'POST', body }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.cause).toBe(boom);
      expect(http.pending).toBe(0);
      await until(() => server.uploads.length > seen, 'the server to see the upload end');
      expect(server.uploads.at(-1)?.aborted).toBe(true);
    });

    test('bad input: a non-boolean stream and non-Uint8Array upload chunks are InvalidRequestError', async () => {
      const http = client();
      const yes = await rejection(http.request(`${server.url}/bytes?n=1`, { stream: 'yes' as never }));
      expect(yes).toBeInstanceOf(InvalidRequestError);
      expect(yes.message).toMatch(/stream must be a boolean/);
      async function* strings() {
        yield 'not bytes' as unknown as Uint8Array;
      }
      const chunk = await rejection(
        http.request(`${server.url}/upload`, { method: 'POST', body: strings() }),
      );
      expect(chunk.cause ?? chunk).toBeInstanceOf(InvalidRequestError);
      expect(String((chunk.cause as Error | undefined)?.message ?? chunk.message)).toMatch(
        /Uint8Array chunks/,
      );
      expect(http.pending).toBe(0);
    });
  });
}
