import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http } from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FetchFunction, fetchAdapter } from '../src/index.js';

describe("fetch adapter: redirects a runtime's fetch hides, and redirect: 'follow'", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/target' }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("an opaque redirect (a browser's answer to redirect: 'manual') fails once, clearly, unretried", async () => {
    let calls = 0;
    // What a browser gives: status 0, type 'opaqueredirect', no headers.
    const fetch: FetchFunction = async () => {
      calls++;
      const response = new Response(null, { status: 200 });
      Object.defineProperty(response, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(response, 'status', { value: 0 });
      return response;
    };
    const http = new Http({ adapter: fetchAdapter({ fetch }), retry: { limit: 3, delay: 0 }, logger: false });
    const error = await http.request(`${base}/moved`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('InvalidRequestError');
    expect(error?.message).toMatch(/fetchAdapter\(\{ redirect: 'follow' \}\)/);
    expect(calls).toBe(1);
    await http.close();
  });

  test("redirect: 'follow' lets fetch follow and reports where it ended as response.url", async () => {
    const http = new Http({ adapter: fetchAdapter({ redirect: 'follow' }), logger: false });
    const { response, content } = await http.request(`${base}/moved`);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${base}/target`);
    expect(await content.text()).toBe('at /target');
    await http.close();
  });

  test("the default ('manual') still hands the 3xx to core, which follows it by its rules", async () => {
    const http = new Http({ adapter: fetchAdapter(), logger: false });
    const { response } = await http.request(`${base}/moved`);
    expect(response.url).toBe(`${base}/target`);
    expect(response.previous?.status).toBe(302);
    await http.close();
  });

  test('redirect takes only manual or follow', () => {
    expect(() => fetchAdapter({ redirect: 'error' as never })).toThrow(/'manual' or 'follow'/);
  });
});
