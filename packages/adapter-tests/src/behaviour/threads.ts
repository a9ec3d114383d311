// Callbacks in worker threads (`@asynchttp/core/threads`) through each adapter: whatever shape the
// adapter hands its body in, the thread gets the same bytes and the result comes back as `data`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { threadId } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { Http, HttpOptions } from '@asynchttp/core';
import { ThreadPool } from '@asynchttp/core/threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** Makes a client that the calling suite closes. */
export type ThreadsClient = (options?: Omit<HttpOptions, 'adapter'>) => Http;

const callbacks = new URL('../../fixtures/thread-callbacks.mjs', import.meta.url);

interface Summary {
  threadId: number;
  count: number;
  last: { id: number; name: string };
  status: number;
  contentType: string;
  byteLength: number;
}

export function testThreads(client: ThreadsClient): void {
  describe('callbacks in worker threads', () => {
    let server: http.Server;
    let url: string;
    const pool = new ThreadPool({ maxThreads: 1 });

    beforeAll(async () => {
      // About 200 KiB of JSON, sent gzipped when asked, so a decoding adapter is covered too.
      const stops = Array.from({ length: 4000 }, (_, id) => ({ id, name: `stop ${id}`, lat: id / 7 }));
      const body = JSON.stringify(stops);
      const gzipped = gzipSync(body);
      server = http.createServer((req, res) => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
          res.setHeader('content-encoding', 'gzip');
          res.end(gzipped);
          return;
        }
        res.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stops`;
    });
    afterAll(async () => {
      await pool.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    test('the body is parsed in a thread and its result becomes data', async () => {
      const { content, data } = await client().request(url, {
        callback: pool.callback<Summary>(callbacks, 'summarize'),
      });
      expect(data.threadId).not.toBe(threadId);
      expect(data).toMatchObject({ count: 4000, last: { id: 3999, name: 'stop 3999' }, status: 200 });
      expect(data.contentType).toBe('application/json; charset=utf-8');
      expect(data.byteLength).toBe(content.byteLength);
      // The request's own content is still readable.
      expect(content.json<unknown[]>()).toHaveLength(4000);
    });

    test('an error thrown in the thread rejects with its name, properties and the call site', async () => {
      const error = await Promise.resolve(
        client().request(url, { callback: pool.callback(callbacks, 'fails') }).data,
      ).then(
        () => undefined,
        (reason: unknown) => reason as TypeError & { route?: string },
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(error?.message).toBe('no stops in /stops');
      expect(error?.route).toBe('N1');
      expect(error?.stack).toContain('--- request() called from ---');
    });
  });
}
