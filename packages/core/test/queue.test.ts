import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Http } from '../src/index.js';
import { RequestQueue } from '../src/queue.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';
import { stubAdapter, tick } from './helpers/stub-adapter.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

// Ported from the seed's own tests: the wall time of N requests of D ms with W workers is about
// ceil(N / W) delays. Bounds are generous; speed itself is measured by the benchmarks.
describe('worker pool timing (seed tests)', () => {
  test.each([
    { workers: 5, requests: 8, delays: 2 },
    { workers: 10, requests: 10, delays: 1 },
  ])(
    '$workers workers and $requests requests of 100 ms take about $delays delays',
    async ({ workers, requests, delays }) => {
      const http = new Http({ adapter: nodeAdapter(), maxWorkers: workers });
      server.peak = 0;
      const started = performance.now();
      const all = Array.from({ length: requests }, () => http.request(`${server.url}/delay/100`));
      expect(http.size + http.pending).toBe(requests);
      const results = await Promise.all(all);
      const elapsed = performance.now() - started;
      expect(results.map((r) => r.response.status)).toEqual(Array(requests).fill(200));
      // The server never held more than `workers` at once, and more than one: that is the seed's point
      // (how many overlap exactly depends on the machine's load). The wall time is at least `delays`
      // delays; its upper bound is loose, for a loaded machine.
      expect(server.peak).toBeLessThanOrEqual(workers);
      expect(server.peak).toBeGreaterThan(1);
      expect(elapsed).toBeGreaterThanOrEqual(delays * 100 - 5);
      expect(elapsed).toBeLessThan(delays * 100 + 3_000);
      await http.close();
    },
  );
});

describe('the queue', () => {
  test('maxWorkers bounds the requests running at once, and any number can wait', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 3 });
    const requests = Array.from({ length: 50 }, (_, i) => http.request(`http://127.0.0.1:9/${i}`));
    await tick();
    expect(adapter.started).toHaveLength(3);
    expect(http.pending).toBe(3);
    expect(http.size).toBe(47);
    adapter.started[0]!.answer();
    await tick();
    expect(adapter.started).toHaveLength(4);
    for (let i = 1; i < 50; i++) {
      adapter.started[i]!.answer();
      await tick();
    }
    await Promise.all(requests);
    expect(http.size + http.pending).toBe(0);
    await http.close();
  });

  test('priority orders the waiting requests, highest first, FIFO within a priority', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1 });
    http.request('http://127.0.0.1:9/first');
    http.request('http://127.0.0.1:9/low', { priority: -1 });
    http.request('http://127.0.0.1:9/a', { priority: 0 });
    http.request('http://127.0.0.1:9/high', { priority: 5 });
    http.request('http://127.0.0.1:9/b');
    http.request('http://127.0.0.1:9/high2', { priority: 5 });
    for (let i = 0; i < 6; i++) {
      await tick();
      adapter.started[i]!.answer();
    }
    await http.onIdle();
    expect(adapter.started.map((g) => g.request.url.pathname)).toEqual([
      '/first',
      '/high',
      '/high2',
      '/a',
      '/b',
      '/low',
    ]);
    await http.close();
  });

  test('raising maxWorkers takes effect at once; lowering it holds new starts', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1 });
    for (let i = 0; i < 10; i++) http.request(`http://127.0.0.1:9/${i}`);
    await tick();
    expect(adapter.started).toHaveLength(1);
    http.maxWorkers = 4;
    expect(http.maxWorkers).toBe(4);
    await tick();
    expect(adapter.started).toHaveLength(4);
    http.maxWorkers = 2;
    for (const gate of adapter.started.slice(0, 3)) gate.answer();
    await tick();
    // Three finished, one still running: only one more may start under the new limit of 2.
    expect(http.pending).toBe(2);
    expect(adapter.started).toHaveLength(5);
    expect(() => {
      http.maxWorkers = 0;
    }).toThrow(RangeError);
    expect(http.maxWorkers).toBe(2);
    const closed = http.close({ cancelPending: true });
    for (const gate of adapter.started) gate.answer();
    await closed;
    expect(adapter.started).toHaveLength(5);
    expect(adapter.closed).toBe(1);
  });

  test('real sockets: the server never sees more than maxWorkers requests at once', async () => {
    const http = new Http({ adapter: nodeAdapter(), maxWorkers: 4 });
    let peak = 0;
    let running = 0;
    const probe = setInterval(() => {
      running = http.pending;
      peak = Math.max(peak, running);
    }, 1);
    await Promise.all(Array.from({ length: 20 }, () => http.request(`${server.url}/delay/20`)));
    clearInterval(probe);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThanOrEqual(2);
    await http.close();
  });
});

describe('RequestQueue (the line in front of p-queue)', () => {
  const item = (name: string) => ({ name, waiting: false });

  test('dequeues FIFO per priority, highest first, skips taken items, and counts exactly', () => {
    const queue = new RequestQueue<ReturnType<typeof item>>();
    const items = ['r0', 'r1', 'r2', 'r3', 'r4'].map(item);
    items.forEach((it, i) => {
      queue.enqueue(it, i === 3 ? 1 : 0);
    });
    expect(queue.size).toBe(5);
    expect(items.every((it) => it.waiting)).toBe(true);
    expect(queue.take(items[1]!)).toBe(true);
    expect(queue.take(items[1]!)).toBe(false);
    expect(queue.size).toBe(4);
    const order = [queue.dequeue(), queue.dequeue(), queue.dequeue(), queue.dequeue()].map((it) => it?.name);
    expect(order).toEqual(['r3', 'r0', 'r2', 'r4']);
    expect(queue.dequeue()).toBeUndefined();
    expect(queue.size).toBe(0);
    expect(items.some((it) => it.waiting)).toBe(false);
  });

  test('drain empties the line in priority order; many distinct priorities do not pile up', () => {
    const queue = new RequestQueue<ReturnType<typeof item>>();
    for (let p = 0; p < 100; p++) {
      queue.enqueue(item(`p${p}`), p);
      queue.dequeue();
    }
    const a = item('a');
    const b = item('b');
    queue.enqueue(a, 1);
    queue.enqueue(b, 2);
    expect(queue.drain()).toEqual([b, a]);
    expect(queue.size).toBe(0);
  });

  test('a long line compacts as it drains and keeps order', () => {
    const queue = new RequestQueue<ReturnType<typeof item>>();
    const all = Array.from({ length: 5000 }, (_, i) => item(`n${i}`));
    for (const it of all) queue.enqueue(it);
    const out: string[] = [];
    for (let i = 0; i < 3000; i++) out.push(queue.dequeue()!.name);
    for (const it of all.slice(0, 100)) queue.enqueue(it);
    while (queue.size > 0) out.push(queue.dequeue()!.name);
    expect(out.slice(0, 3)).toEqual(['n0', 'n1', 'n2']);
    expect(out[2999]).toBe('n2999');
    expect(out[3000]).toBe('n3000');
    expect(out).toHaveLength(5100);
  });
});
