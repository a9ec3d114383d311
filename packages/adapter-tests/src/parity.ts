import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { type Adapter, Http, isAsyncHttpError } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { caseTest } from './case-test.js';
import type { AdapterCase } from './cases.js';

/** What `testAdapter` hands over: the adapter factory and the declared skips. */
export interface ParityOptions {
  name: string;
  create: () => Adapter;
  skip: Partial<Record<AdapterCase, string>>;
}

const text = Buffer.from('asynchttp parity '.repeat(2000));
// Each encoding cut short before its end: gzip without its 8-byte trailer, deflate and br without
// their last bytes. The transport delivers every byte it was told about; only the decoder can tell.
const truncated = {
  gzip: gzipSync(text).subarray(0, -8),
  deflate: deflateSync(text).subarray(0, -4),
  br: brotliCompressSync(text).subarray(0, -4),
};
const whole = { gzip: gzipSync(text), deflate: deflateSync(text), br: brotliCompressSync(text) };
type Coding = keyof typeof whole;

/**
 * The README's promise that behaviour is the same whichever adapter is plugged in, checked where
 * adapters used to differ: a truncated encoded body, the request() call site on every error path, the
 * root reason in a connection error's message. Registered by `testAdapter`.
 */
export function testParity({ name, create, skip }: ParityOptions): void {
  describe(`adapter parity: ${name}`, () => {
    let server: Server;
    let base: string;
    let refused: string;

    beforeAll(async () => {
      server = createServer((req, res) => route(req.url ?? '/', res));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const probe = createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      refused = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
      await new Promise((resolve) => probe.close(resolve));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const check = (id: AdapterCase, title: string, fn: (http: Http) => Promise<void>) => {
      const reason = skip[id];
      const run = async () => {
        const http = new Http({ adapter: create(), logger: false, retry: false });
        try {
          await fn(http);
        } finally {
          await http.close();
        }
      };
      caseTest(name, id, title, reason, run);
    };

    check(
      'truncated-encoding',
      'a gzip, deflate or br body cut short fails with DecompressionError',
      async (http) => {
        for (const coding of Object.keys(whole) as Coding[]) {
          const { content } = await http.request(`${base}/whole/${coding}`);
          expect(await content.text(), `whole ${coding}`).toBe(text.toString());
          const error = await failure(http.request(`${base}/truncated/${coding}`).content);
          expect(nameOf(error), `truncated ${coding}: ${String(error)}`).toBe('DecompressionError');
        }
      },
    );

    check('call-site', 'timeout, cancel and refused errors carry the request() call site', async (http) => {
      const timedOut = await failure(http.request(`${base}/hang`, { timeout: 100 }));
      expect(nameOf(timedOut)).toBe('TimeoutError');
      const running = http.request(`${base}/hang`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running.cancel();
      const cancelled = await failure(running);
      expect(nameOf(cancelled)).toBe('CancelledError');
      const refusedError = await failure(http.request(refused));
      expect(nameOf(refusedError)).toBe('ConnectionError');
      // Let the adapter give up on its side too: a library may rewrite the stack when it rejects.
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const error of [timedOut, cancelled, refusedError]) {
        expect((error as Error).stack, nameOf(error)).toMatch(/--- request\(\) called from ---\n.*parity\./);
      }
    });

    check(
      'failure-reason',
      "a refused connection's message names the reason, not only its cause",
      async (http) => {
        const error = await failure(http.request(refused));
        const { port } = new URL(refused);
        expect((error as Error).message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
        expect((error as Error).message).toContain(`GET ${refused}`);
      },
    );
  });
}

function route(url: string, res: ServerResponse): void {
  const [, kind, coding] = url.split('/') as [string, string, Coding];
  if (kind === 'hang') return;
  const body = kind === 'truncated' ? truncated[coding] : whole[coding];
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-encoding': coding,
    'content-type': 'text/plain',
    'content-length': body.length,
  });
  res.end(body);
}

async function failure(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the request to fail, but it succeeded');
}

/** Names, not classes: the adapter may load another copy of core than the suite does. */
function nameOf(error: unknown): string {
  return isAsyncHttpError(error) ? error.name : `not an asynchttp error: ${String(error)}`;
}
