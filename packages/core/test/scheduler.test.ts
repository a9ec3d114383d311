// The scheduler's parts on their own (rate windows, the ready heap) and its ordering through `Http`
// with a stub adapter (order only; limits seen by real servers are in the behaviour suite).
import { describe, expect, test } from 'vitest';
import { Http, type Timers } from '../src/index.js';
import { OriginState, type Schedulable } from '../src/scheduler/origin-state.js';
import { freeAt, RateWindow } from '../src/scheduler/rate-window.js';
import { ReadyHeap } from '../src/scheduler/ready-heap.js';
import { stubAdapter, tick } from './helpers/stub-adapter.js';

describe('RateWindow: a sliding window', () => {
  test('room for `limit` starts, then the oldest start plus `interval`', () => {
    const window = new RateWindow({ limit: 3, interval: 1000 });
    expect(window.freeAt(0)).toBe(0);
    window.record(0);
    window.record(100);
    window.record(200);
    expect(window.freeAt(300)).toBe(1000);
    window.record(1000);
    // Sliding, not fixed: after the start at 1000, the next room is 100 + 1000.
    expect(window.freeAt(1000)).toBe(1100);
    expect(window.freeAt(5000)).toBe(5000);
  });

  test('a reserved start holds room until its exchange is recorded (at its real time) or released', () => {
    const window = new RateWindow({ limit: 2, interval: 1000 });
    window.reserve();
    window.reserve();
    expect(window.freeAt(0)).toBe(Number.POSITIVE_INFINITY);
    window.commit(50);
    // One recorded (at 50) and one still reserved fill the window until the first ages out.
    expect(window.freeAt(60)).toBe(1050);
    window.release();
    expect(window.freeAt(60)).toBe(60);
    window.record(70);
    // The committed start counts from when it began (50), not from when it was reserved.
    expect(window.freeAt(80)).toBe(1050);
    expect(window.expired(1069)).toBe(false);
  });

  test('several windows: the latest of their free times', () => {
    const short = new RateWindow({ limit: 1, interval: 100 });
    const long = new RateWindow({ limit: 2, interval: 1000 });
    for (const window of [short, long]) {
      window.record(0);
      window.record(150);
    }
    expect(freeAt([short, long], 200)).toBe(1000);
  });

  test('resized keeps the most recent starts; expired says when nothing is remembered', () => {
    const window = new RateWindow({ limit: 4, interval: 1000 });
    for (const at of [0, 10, 20, 30]) window.record(at);
    const smaller = window.resized({ limit: 2, interval: 1000 });
    expect(smaller.freeAt(40)).toBe(1020);
    expect(window.expired(1029)).toBe(false);
    expect(window.expired(1030)).toBe(true);
  });
});

describe('ReadyHeap: the origins that can start, by their next request', () => {
  const origin = (name: string, id: number, priority: number): OriginState => {
    const state = new OriginState(name, { maxWorkers: Number.POSITIVE_INFINITY, rateLimits: [] });
    const item: Schedulable = { id, priority, waiting: false };
    state.line.enqueue(item, priority);
    return state;
  };

  test('priority first, then call order; update and remove keep the order (1 000 origins)', () => {
    const heap = new ReadyHeap();
    const states = Array.from({ length: 1000 }, (_, index) =>
      origin(`http://o${index}.test`, 1000 - index, index % 7),
    );
    for (const state of states) heap.update(state);
    const popped: [number, number][] = [];
    while (heap.size > 0) {
      const state = heap.peek()!;
      const head = state.line.peek()!;
      popped.push([head.priority, head.id]);
      heap.remove(state);
    }
    const sorted = [...popped].sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    expect(popped).toEqual(sorted);
    expect(states.every((state) => state.heapIndex === -1)).toBe(true);
  });
});

describe('scheduling through Http (stub adapter: order only)', () => {
  test('per-origin maxWorkers: a full origin waits while another starts', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 3, perOrigin: { maxWorkers: 1 }, logger: false });
    const a = [http.request('http://a.test/1'), http.request('http://a.test/2')];
    const b = http.request('http://b.test/1');
    await tick();
    expect(adapter.started.map((gate) => gate.request.url.href)).toEqual([
      'http://a.test/1',
      'http://b.test/1',
    ]);
    expect(http.stats().origins).toEqual({
      'http://a.test': { queued: 1, running: 1 },
      'http://b.test': { queued: 0, running: 1 },
    });
    for (const gate of adapter.started.splice(0)) gate.answer();
    await Promise.all([a[0]!.wait(), b.wait()]);
    await tick();
    expect(adapter.started.map((gate) => gate.request.url.href)).toEqual(['http://a.test/2']);
    adapter.started[0]!.answer();
    await http.close();
    expect(http.stats()).toMatchObject({ queued: 0, running: 0, completed: 3, failed: 0 });
  });

  test('a request is reported completed before the next one takes its slot', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1, logger: false });
    const events: string[] = [];
    http.on('started', ({ id }) => events.push(`started #${id}`));
    http.on('completed', ({ id }) => events.push(`completed #${id}`));
    const [first, second] = [http.request('http://a.test/1'), http.request('http://a.test/2')];
    await tick();
    adapter.started[0]!.answer();
    await first.wait();
    await tick();
    adapter.started[1]!.answer();
    await second.wait();
    expect(events).toEqual([
      `started #${first.id}`,
      `completed #${first.id}`,
      `started #${second.id}`,
      `completed #${second.id}`,
    ]);
    await http.close();
  });

  test('cancelling the head of an origin lets the next one lead; close() leaves no origin behind', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1, logger: false });
    const first = http.request('http://a.test/first');
    const waiting = [
      http.request('http://b.test/x', { priority: 2 }),
      http.request('http://c.test/y', { priority: 1 }),
    ];
    await tick();
    waiting[0]!.cancel();
    adapter.started[0]!.answer();
    await first.wait();
    await tick();
    expect(adapter.started.map((gate) => gate.request.url.href)).toEqual([
      'http://a.test/first',
      'http://c.test/y',
    ]);
    adapter.started[1]!.answer();
    await http.close();
    expect(http.stats().origins).toEqual({});
    expect(http.stats()).toMatchObject({ completed: 2, failed: 1 });
  });

  test('100 000 origins with one request each: idle origins are swept, not kept', async () => {
    const adapter = stubAdapter();
    const http = new Http({ adapter, maxWorkers: 1_000, logger: false, captureCallSite: false });
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 1000 }, (_, n) => http.request(`http://o${round}-${n}.test/`));
      await tick();
      for (const gate of adapter.started.splice(0)) gate.answer();
      await Promise.all(batch.map((request) => request.wait()));
    }
    expect(Object.keys(http.stats().origins).length).toBeLessThan(200);
    await http.close();
  });

  test('a paused client keeps its requests waiting; close({ cancelPending }) cancels them and leaves no timer', async () => {
    const adapter = stubAdapter();
    const live = new Set<unknown>();
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        const handle = setTimeout(() => {
          live.delete(handle);
          callback();
        }, ms);
        live.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        live.delete(handle);
        clearTimeout(handle as NodeJS.Timeout);
      },
      now: () => performance.now(),
    };
    const http = new Http({ adapter, logger: false, timers });
    http.pause({ for: 60_000 });
    http.pause({ origin: 'http://a.test', for: 60_000 });
    const held = http.request('http://a.test/held');
    await tick();
    expect(adapter.started).toHaveLength(0);
    await http.close({ cancelPending: true });
    await expect(held.response).rejects.toMatchObject({ name: 'CancelledError' });
    // The pauses' timers are gone: nothing of this client is left for the event loop to wait for.
    expect(live.size).toBe(0);
  });
});
