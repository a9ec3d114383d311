import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testAdapter } from '@asynchttp/adapter-tests';
import { ConnectionError, Http } from '@asynchttp/core';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { undiciAdapter } from '../src/index.js';

testAdapter({ name: 'undici', create: (options) => undiciAdapter({ ca: options?.tls?.ca }) });

describe('undiciAdapter extras', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/chunked') {
        res.write('a'.repeat(600));
        res.end('b'.repeat(600));
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('close() leaves a passed-in dispatcher open', async () => {
    const agent = new Agent();
    try {
      const http = new Http({ adapter: undiciAdapter({ dispatcher: agent }), logger: false });
      expect((await http.request(url).response).status).toBe(200);
      await http.close();
      expect(agent.closed).toBe(false);
      const again = await agent.request({ origin: url, path: '/', method: 'GET' });
      expect(await again.body.text()).toBe('ok');
    } finally {
      await agent.close();
    }
  });

  test('close() closes its own agent: later sends fail with ConnectionError', async () => {
    const adapter = undiciAdapter();
    const request = { url: new URL(url), method: 'GET', headers: [], signal: new AbortController().signal };
    expect((await adapter.send(request)).status).toBe(200);
    await adapter.close?.();
    await expect(adapter.send(request)).rejects.toBeInstanceOf(ConnectionError);
  });

  test('maxResponseBytes also applies to a chunked body without content-length', async () => {
    const adapter = undiciAdapter();
    try {
      const request = {
        url: new URL(`${url}/chunked`),
        method: 'GET',
        headers: [],
        signal: new AbortController().signal,
      };
      await expect(adapter.send({ ...request, maxResponseBytes: 1000 })).rejects.toMatchObject({
        name: 'ResponseTooLargeError',
        limit: 1000,
      });
      const whole = await adapter.send({ ...request, maxResponseBytes: 1200 });
      expect((whole.body as Uint8Array).byteLength).toBe(1200);
      expect(whole.reason).toBe('OK');
      expect(whole.decoded).toBe(false);
    } finally {
      await adapter.close?.();
    }
  });

  test('rejects Agent options next to a dispatcher instead of ignoring them', () => {
    const agent = new Agent();
    expect(() => undiciAdapter({ dispatcher: agent, ca: 'pem' })).toThrow(
      /ca configure the adapter's own Agent/,
    );
    return agent.close();
  });
});
