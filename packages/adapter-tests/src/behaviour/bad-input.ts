import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Adapter, Http, InvalidRequestError, type RequestPromise } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** A loopback server that counts what reaches it; `/to-userinfo` redirects to a URL with credentials. */
async function startCountingServer(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/to-userinfo') {
      const { port } = server.address() as AddressInfo;
      res.writeHead(302, { location: `http://joe:secret@127.0.0.1:${port}/target` });
      res.end();
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const boom = new Error('thrown by the caller');
const throws = (): never => {
  throw boom;
};

/**
 * Bad input is refused by core, before any network call, with the same `InvalidRequestError` whatever
 * the adapter would have done with it (undici drops URL credentials, axios sends them as Basic, fetch
 * fails). Registered by `testBehaviour`.
 */
export function testBadInput(create: () => Adapter): void {
  describe('bad input is refused by core before any network call', () => {
    let server: Awaited<ReturnType<typeof startCountingServer>>;
    let client: Http;
    const escaped: unknown[] = [];
    const onUnhandled = (reason: unknown) => escaped.push(reason);

    beforeAll(async () => {
      server = await startCountingServer();
      client = new Http({ adapter: create(), logger: false });
      process.on('unhandledRejection', onUnhandled);
    });
    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await client.close({ cancelPending: true });
      await server.close();
      expect(escaped, 'no unhandled rejection may escape').toEqual([]);
    });

    /** request() must not throw; its failure must be InvalidRequestError; `sent` requests reach the server. */
    async function refused(call: () => RequestPromise<unknown>, sent = 0): Promise<InvalidRequestError> {
      const before = server.hits();
      let request: RequestPromise<unknown> | undefined;
      expect(() => {
        request = call();
      }).not.toThrow();
      const error = await request!.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(server.hits() - before, 'requests that reached the server').toBe(sent);
      return error as InvalidRequestError;
    }

    test('credentials in the URL, as a string or a URL object, point to addCredentials', async () => {
      const url = server.url.replace('://', '://joe:secret@');
      for (const uri of [`${url}/`, new URL(`${url}/`)]) {
        expect((await refused(() => client.request(uri))).message).toMatch(/addCredentials/);
      }
    });

    test('a redirect to a Location with credentials is refused after the first exchange', async () => {
      const error = await refused(() => client.request(`${server.url}/to-userinfo`), 1);
      expect(error.message).toMatch(/redirect Location.*addCredentials/);
    });

    test.each(['a\x01b', '\x7f', 'a日b', 'a€b', 'a\r\nx-b: c'])('the header value %j', async (value) => {
      await refused(() => client.request(server.url, { headers: { 'x-a': value } }));
    });

    test.each(['x a', 'x:a', 'é'])('the header name %j', async (name) => {
      await refused(() => client.request(server.url, { headers: [[name, 'v']] }));
    });

    test.each(['GET\x01', 'G\u00c9T', ''])('the method %j', async (method) => {
      await refused(() => client.request(server.url, { method }));
    });

    test("the caller's throwing objects, with what they threw as the cause", async () => {
      const calls = [
        () =>
          client.request(server.url, {
            headers: {
              get 'x-a'(): string {
                return throws();
              },
            },
          }),
        () => client.request(server.url, new Proxy({}, { get: throws })),
        () =>
          client.request(server.url, {
            signal: { aborted: false, addEventListener: throws, removeEventListener() {} } as never,
          }),
      ];
      for (const call of calls) expect((await refused(call)).cause).toBe(boom);
    });

    test('an unknown request option names the nearest known one', async () => {
      const error = await refused(() => client.request(server.url, { methd: 'POST' } as never));
      expect(error.message).toMatch(/did you mean "method"/);
    });

    test('a callback throwing a value that cannot be printed settles every promise object', async () => {
      for (const thrown of [Object.create(null), undefined]) {
        const request = client.request(server.url, { callback: () => Promise.reject(thrown) });
        for (const object of [request.response, request.content, request.data]) {
          await expect(Promise.resolve(object)).rejects.toBe(thrown);
        }
      }
    });

    test('maxWorkers 1: cancelling a request whose callback never settles lets the next one run', async () => {
      const http = new Http({ adapter: create(), logger: false, maxWorkers: 1 });
      const stuck = http.request(server.url, { callback: () => new Promise(() => {}) });
      const next = http.request(server.url);
      await new Promise((resolve) => setTimeout(resolve, 50));
      stuck.cancel();
      expect((await next.response).status).toBe(200);
      await http.close();
    });
  });
}
