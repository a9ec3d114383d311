import { once } from 'node:events';
import { Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testAdapter } from '@asynchttp/adapter-tests';
import { Http } from '@asynchttp/core';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axiosAdapter } from '../src/index.js';

testAdapter({ name: 'axios', create: (o) => axiosAdapter({ ca: o?.tls?.ca }) });

describe('axios adapter with a user instance', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/target' }).end('moved');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('its request and response interceptors run', async () => {
    const instance = axios.create();
    instance.interceptors.request.use((config) => {
      config.headers.set('x-from-interceptor', 'yes');
      return config;
    });
    const statuses: number[] = [];
    instance.interceptors.response.use((response) => {
      statuses.push(response.status);
      return response;
    });
    const http = new Http({ adapter: axiosAdapter({ instance }), logger: false });
    try {
      const { response, content } = await http.request(`${base}/intercepted`, {
        headers: { 'x-core': 'kept' },
      });
      expect(response.status).toBe(200);
      expect(await content.text()).toBe('at /intercepted');
      const request = seen.find((each) => each.url === '/intercepted');
      expect(request?.headers['x-from-interceptor']).toBe('yes');
      expect(request?.headers['x-core']).toBe('kept');
      expect(statuses).toEqual([200]);
    } finally {
      await http.close();
    }
  });

  test("the instance's own settings cannot re-enable redirects, timeouts or status errors", async () => {
    const instance = axios.create({
      maxRedirects: 10,
      timeout: 1,
      validateStatus: (status) => status < 300,
      responseType: 'json',
    });
    const adapter = axiosAdapter({ instance });
    try {
      const response = await adapter.send({
        url: new URL(`${base}/redirect`),
        method: 'GET',
        headers: [],
        signal: new AbortController().signal,
      });
      expect(response.status).toBe(302);
      expect(response.headers).toContainEqual(['location', '/target']);
      expect(new TextDecoder().decode(response.body as Uint8Array)).toBe('moved');
      expect(seen.some((each) => each.url === '/target')).toBe(false);
    } finally {
      await adapter.close?.();
    }
  });

  test('axios adds no accept, content-type or accept-encoding that core did not send', async () => {
    const adapter = axiosAdapter();
    try {
      await adapter.send({
        url: new URL(`${base}/plain-post`),
        method: 'POST',
        headers: [],
        body: new TextEncoder().encode('x'),
        signal: new AbortController().signal,
      });
      const { headers } = seen.find((each) => each.url === '/plain-post')!;
      expect(headers.accept).toBeUndefined();
      expect(headers['content-type']).toBeUndefined();
      expect(headers['accept-encoding']).toBeUndefined();
    } finally {
      await adapter.close?.();
    }
  });

  test("close() leaves the agents of a user's instance alone", async () => {
    const httpAgent = new Agent({ keepAlive: true });
    const adapter = axiosAdapter({ instance: axios.create({ httpAgent }) });
    try {
      const response = await adapter.send({
        url: new URL(`${base}/own-agent`),
        method: 'GET',
        headers: [],
        signal: new AbortController().signal,
      });
      expect(response.status).toBe(200);
      await adapter.close?.();
      // The pooled connection went through the user's agent and survives the adapter's close().
      expect(Object.values(httpAgent.freeSockets).flat()).toHaveLength(1);
    } finally {
      httpAgent.destroy();
    }
  });

  test('rejects options that are not an object', () => {
    expect(() => axiosAdapter(null as never)).toThrow(TypeError);
    expect(() => axiosAdapter({ instance: {} as never })).toThrow(/axios instance/);
  });
});
