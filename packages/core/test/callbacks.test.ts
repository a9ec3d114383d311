import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { Http } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

class Agency {
  constructor(readonly tag: string) {}
}

// Ported from the seed: a callback deserializes inside the worker; its failure surfaces on access.
describe('callbacks', () => {
  test('a callback runs in the worker and its return value becomes data', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1 });
    let pendingDuringCallback = -1;
    const request = http.request(`${server.url}/json`, {
      callback: ({ response, content }) => {
        pendingDuringCallback = http.pending;
        expect(response.status).toBe(200);
        return new Agency(content.json<{ hello: string }>().hello);
      },
    });
    const data = await request.data;
    expect(data).toBeInstanceOf(Agency);
    expect(data.tag).toBe('world');
    // The callback held the worker slot.
    expect(pendingDuringCallback).toBe(1);
    const { data: again } = await request;
    expect(again).toBe(data);
    await http.close();
  });

  test('an async callback is awaited inside the worker slot', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 1 });
    const order: string[] = [];
    const first = http.request(`${server.url}/ok`, {
      callback: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push('first callback done');
        return 1;
      },
    });
    const second = http.request(`${server.url}/ok`, { callback: () => order.push('second callback') });
    expect(await first.data).toBe(1);
    await second;
    expect(order).toEqual(['first callback done', 'second callback']);
    await http.close();
  });

  test("a failing callback's error is raised, unchanged, on access to response, content and data", async () => {
    const warn = vi.fn();
    const http = new Http({
      adapter: nodeAdapter(),
      logger: { debug() {}, info() {}, warn, error() {} },
    });
    const boom = new SyntaxError('cannot parse the agencies');
    const request = http.request(`${server.url}/json`, {
      callback: () => {
        throw boom;
      },
    });
    await expect(request.response).rejects.toBe(boom);
    await expect(request.content).rejects.toBe(boom);
    await expect(request.data).rejects.toBe(boom);
    await expect(request).rejects.toBe(boom);
    expect(() => request.response.status).toThrow(boom);
    expect(() => request.content.toString()).toThrow(boom);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(
      /callback failed .*cannot parse the agencies[\s\S]*callbacks\.test\.ts/,
    );
    await http.close();
  });

  test('a rejected async callback behaves the same', async () => {
    const http = new Http({ adapter: nodeAdapter(), logger: false });
    const boom = new Error('async boom');
    const [response] = http.request(`${server.url}/json`, { callback: async () => Promise.reject(boom) });
    await expect(response).rejects.toBe(boom);
    await http.close();
  });
});
