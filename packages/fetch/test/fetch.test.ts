import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testAdapter } from '@asynchttp/adapter-tests';
import { type AdapterRequest, Http } from '@asynchttp/core';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FetchFunction, fetchAdapter } from '../src/index.js';

testAdapter({
  name: 'fetch (global fetch)',
  create: () => fetchAdapter(),
  skip: {
    'https-custom-ca': "Node's global fetch has no TLS options; inject options.fetch with a dispatcher",
    'no-socket-leak':
      "the global fetch's connection pool belongs to the runtime, so http.close() cannot close it; " +
      'inject options.fetch and options.close to own one',
  },
});

// Node's global fetch has no TLS options and its pool belongs to the runtime: a fetch injected over an
// undici Agent (a devDependency) covers the two cases the run above declares impossible.
testAdapter({
  name: 'fetch (injected fetch on an undici Agent)',
  create: (o) => {
    const dispatcher = new Agent({ connect: { ca: o?.tls?.ca } });
    // Node's own fetch accepts a dispatcher from the undici package; the adapter never sees it.
    const fetch: FetchFunction = (input, init) =>
      globalThis.fetch(input, { ...init, dispatcher } as RequestInit);
    return fetchAdapter({ fetch, close: () => dispatcher.close() });
  },
  skip: {
    'truncated-encoding':
      "this fetch brings its own dispatcher over the adapter's, so undici decodes, and accepts a body cut short",
  },
});

describe('fetch adapter extras', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; method: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      seen.push({
        url: req.url ?? '',
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      if (req.url === '/cookies') {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.setHeader('x-twice', ['one', 'two']);
      }
      if (req.url === '/corrupt') {
        res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
        return;
      }
      res.writeHead(200, 'Fine Thanks', { 'content-type': 'text/plain' }).end(`at ${req.url}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const request = (path: string, init: Partial<AdapterRequest> = {}): AdapterRequest => ({
    url: new URL(base + path),
    method: 'GET',
    headers: [],
    signal: new AbortController().signal,
    ...init,
  });

  test('an injected fetch is called with manual redirects, the headers, the body bytes and the signal', async () => {
    const calls: { input: string; init: RequestInit }[] = [];
    const fetch: FetchFunction = (input, init) => {
      calls.push({ input, init });
      return globalThis.fetch(input, init);
    };
    let closed = 0;
    const http = new Http({ adapter: fetchAdapter({ fetch, close: () => void closed++ }), logger: false });
    const body = new Uint8Array([0, 1, 2, 255]);
    const { response, content } = await http.request(`${base}/injected?x=1`, {
      method: 'PUT',
      body,
      headers: { 'x-core': 'kept' },
    });
    expect(response.status).toBe(200);
    expect(response.reason).toBe('Fine Thanks');
    expect(await content.text()).toBe('at /injected?x=1');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.input).toBe(`${base}/injected?x=1`);
    expect(calls[0]!.init.redirect).toBe('manual');
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]!.init.body).toBeInstanceOf(Uint8Array);
    const arrived = seen.find((each) => each.url === '/injected?x=1')!;
    expect(arrived.method).toBe('PUT');
    expect(arrived.headers['x-core']).toBe('kept');
    expect([...arrived.body]).toEqual([0, 1, 2, 255]);
    await http.close();
    expect(closed).toBe(1);
  });

  test('set-cookie stays apart; other repeated fields arrive joined by fetch', async () => {
    const adapter = fetchAdapter();
    const response = await adapter.send(request('/cookies'));
    expect(response.headers.filter(([name]) => name === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    // The documented limitation: fetch joins every other repeated field before the adapter sees it.
    expect(response.headers.filter(([name]) => name === 'x-twice')).toEqual([['x-twice', 'one, two']]);
    expect(response.decoded).toBe(true);
  });

  test('an empty statusText (as under HTTP/2) falls back to the standard reason phrase', async () => {
    // Real exchange, then the reason stripped, as fetch reports it for HTTP/2 responses.
    const fetch: FetchFunction = async (input, init) => {
      const real = await globalThis.fetch(input, init);
      return new Response(real.body, { status: real.status, headers: real.headers });
    };
    const response = await fetchAdapter({ fetch }).send(request('/no-reason'));
    expect(response.status).toBe(200);
    expect(response.reason).toBe('OK');
  });

  test('a connect timeout from fetch becomes TimeoutError, other fetch failures ConnectionError', async () => {
    const failWith =
      (code: string): FetchFunction =>
      async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
      };
    const timedOut = fetchAdapter({ fetch: failWith('UND_ERR_CONNECT_TIMEOUT') }).send(request('/'));
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' });
    const reset = fetchAdapter({ fetch: failWith('ECONNRESET') }).send(request('/'));
    await expect(reset).rejects.toMatchObject({
      name: 'ConnectionError',
      cause: { message: 'fetch failed' },
    });
  });

  test('corrupt compressed data, where fetch decodes itself, gives DecompressionError', async () => {
    // No dispatcher of the adapter's: the runtime decodes, as browsers, Deno and Bun do.
    const fetch: FetchFunction = (input, init) =>
      globalThis.fetch(input, { ...init, dispatcher: undefined } as RequestInit);
    const sent = fetchAdapter({ fetch }).send(request('/corrupt'));
    await expect(sent).rejects.toMatchObject({ name: 'DecompressionError', cause: { name: 'TypeError' } });
  });

  test("on Node's fetch an encoded body comes through raw, for core to decode strictly", async () => {
    const response = await fetchAdapter().send(request('/corrupt'));
    expect(response.decoded).toBe(false);
    expect(response.headers).toContainEqual(['content-encoding', 'gzip']);
    expect(new TextDecoder().decode(response.body as Uint8Array)).toBe('not gzip at all');
    const http = new Http({ adapter: fetchAdapter(), logger: false });
    await expect(http.request(`${base}/corrupt`).response).rejects.toMatchObject({
      name: 'DecompressionError',
    });
    await http.close();
  });

  test('a body with GET is refused with InvalidRequestError before fetch is called', async () => {
    const sent = fetchAdapter().send(request('/get-with-body', { body: new Uint8Array([1]) }));
    await expect(sent).rejects.toMatchObject({ name: 'InvalidRequestError' });
    expect(seen.some((each) => each.url === '/get-with-body')).toBe(false);
  });

  test('rejects options that are not an object or hold a non-function', () => {
    expect(() => fetchAdapter(null as never)).toThrow(TypeError);
    expect(() => fetchAdapter({ fetch: 'nope' as never })).toThrow(/fetch/);
    expect(() => fetchAdapter({ close: 1 as never })).toThrow(/close/);
  });

  test('the built package imports nothing from node:', async () => {
    const dist = new URL('../dist/', import.meta.url);
    const files = (await readdir(dist)).filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'));
    expect(files).toContain('index.js');
    for (const file of files) {
      const text = await readFile(new URL(file, dist), 'utf8');
      expect(text, file).not.toMatch(/['"]node:|from ['"](fs|http|https|net|tls|stream|buffer|zlib)['"]/);
    }
  });
});
