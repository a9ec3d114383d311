import { afterAll, beforeAll, expect, test } from 'vitest';
import { Http } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

test('smoke', async () => {
  const http = new Http({ adapter: nodeAdapter() });
  const [response, content] = http.request(`${server.url}/json`);
  expect((await response).status).toBe(200);
  expect(await content.json()).toEqual({ hello: 'world' });
  expect(response.status).toBe(200);
  await http.close();
});
