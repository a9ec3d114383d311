// The scheduler (SPEC "Scheduling"), through `Http` with a real adapter against loopback servers of
// its own: several origins (one port each), and what each server saw (arrival times, concurrency).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type Adapter,
  Http,
  type HttpEventName,
  type HttpOptions,
  type Interceptor,
  type Logger,
} from '@asynchttp/core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

interface Arrival {
  origin: number;
  path: string;
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the scheduling cases; called by `testBehaviour` so every adapter runs them. */
export function schedulingCases(create: () => Adapter): void {
  describe('scheduling', () => {
    const servers: http.Server[] = [];
    const sockets = new Set<Socket>();
    const origins: string[] = [];
    const arrivals: Arrival[] = [];
    const counts = new Map<string, number>();
    let active: number[] = [];
    let peak: number[] = [];
    let activeAll = 0;
    let peakAll = 0;
    const clients: Http[] = [];
    // When each exchange is handed to the adapter (an interceptor sits just below the rate windows):
    // the limits hold here up to a garbage-collection pause between the window and the interceptor (a
    // few ms on a loaded CI machine); at the servers, the adapter's own latency blurs them more.
    const sent: { origin: string; at: number }[] = [];
    const stamp: Interceptor = (next) => (request) => {
      sent.push({ origin: request.url.origin, at: performance.now() });
      return next(request);
    };
    const client = (options: Omit<HttpOptions, 'adapter'> = {}) => {
      const made = new Http({
        adapter: create(),
        logger: false,
        retry: false,
        interceptors: [stamp],
        ...options,
      });
      clients.push(made);
      return made;
    };
    const url = (origin: number, path: string) => `${origins[origin]}${path}`;
    const seen = (origin: number) => arrivals.filter((arrival) => arrival.origin === origin);

    beforeAll(async () => {
      for (let index = 0; index < 3; index++) {
        const server = http.createServer((req, res) => {
          const parsed = new URL(req.url!, 'http://x');
          arrivals.push({ origin: index, path: parsed.pathname, at: performance.now() });
          const key = `${index} ${parsed.pathname}`;
          const n = (counts.get(key) ?? 0) + 1;
          counts.set(key, n);
          active[index]!++;
          activeAll++;
          peak[index] = Math.max(peak[index]!, active[index]!);
          peakAll = Math.max(peakAll, activeAll);
          const done = () => {
            active[index]!--;
            activeAll--;
          };
          req.resume();
          const [, route] = parsed.pathname.split('/');
          const ms = Number(parsed.searchParams.get('ms') ?? 0);
          setTimeout(() => {
            done();
            if (route === 'redirect') {
              res.writeHead(302, { location: parsed.searchParams.get('to') ?? '/fast' }).end();
            } else if (route === 'limited' && n <= Number(parsed.searchParams.get('times') ?? 1)) {
              const status = Number(parsed.searchParams.get('status') ?? 429);
              res
                .writeHead(status, { 'retry-after': parsed.searchParams.get('after') ?? '1' })
                .end('slow down');
            } else if (route === 'flaky' && n === 1) {
              res.writeHead(503).end('again');
            } else {
              res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${index} ${parsed.pathname}`);
            }
          }, ms);
        });
        server.on('connection', (socket) => {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        servers.push(server);
        origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      }
    });
    beforeEach(() => {
      arrivals.length = 0;
      sent.length = 0;
      counts.clear();
      active = [0, 0, 0];
      peak = [0, 0, 0];
      activeAll = 0;
      peakAll = 0;
    });
    afterAll(async () => {
      await Promise.all(clients.map((each) => each.close({ cancelPending: true })));
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    });

    test('perOrigin.maxWorkers holds at each server, maxWorkers across all of them', async () => {
      const http = client({ maxWorkers: 4, perOrigin: { maxWorkers: 2 } });
      const requests = [0, 1, 2].flatMap((origin) =>
        Array.from({ length: 5 }, (_, n) => http.request(url(origin, `/slow/${n}?ms=60`))),
      );
      await Promise.all(requests.map((request) => request.response));
      expect(peak.every((each) => each <= 2)).toBe(true);
      expect(peak.some((each) => each === 2)).toBe(true);
      expect(peakAll).toBeLessThanOrEqual(4);
      expect(peakAll).toBeGreaterThanOrEqual(3);
      expect(arrivals).toHaveLength(15);
    });

    test('origins overrides perOrigin field by field, keyed by any URL of the origin', async () => {
      const http = client({
        maxWorkers: 10,
        perOrigin: { maxWorkers: 1 },
        origins: { [`${origins[1]}/any/path?x=1`]: { maxWorkers: 3 } },
      });
      const requests = [0, 1].flatMap((origin) =>
        Array.from({ length: 4 }, (_, n) => http.request(url(origin, `/slow/${n}?ms=80`))),
      );
      await Promise.all(requests.map((request) => request.response));
      expect(peak[0]).toBe(1);
      expect(peak[1]).toBe(3);
    });

    test("a rate limit is a sliding window, seen in the servers' arrival times", async () => {
      const http = client({ maxWorkers: 20, rateLimit: { limit: 4, interval: 300 } });
      const started = performance.now();
      const requests = Array.from({ length: 12 }, (_, n) => http.request(url(n % 3, `/fast/${n}`)));
      await Promise.all(requests.map((request) => request.response));
      const times = sent.map((each) => each.at);
      expect(times).toHaveLength(12);
      // Any 5 consecutive exchanges span at least one interval: never 5 within 300 ms.
      for (let i = 0; i + 4 < times.length; i++)
        expect(times[i + 4]! - times[i]!).toBeGreaterThanOrEqual(285);
      // The servers saw the same shape, blurred by the adapter's latency (new connections first).
      const arrived = arrivals.map((arrival) => arrival.at).sort((a, b) => a - b);
      expect(arrived).toHaveLength(12);
      expect(arrived[8]! - arrived[0]!).toBeGreaterThanOrEqual(450);
      expect(performance.now() - started).toBeGreaterThanOrEqual(580);
    });

    test('several windows all hold, per origin too', async () => {
      const http = client({
        maxWorkers: 20,
        perOrigin: {
          rateLimit: [
            { limit: 2, interval: 200 },
            { limit: 3, interval: 600 },
          ],
        },
      });
      const requests = [0, 1].flatMap((origin) =>
        Array.from({ length: 4 }, (_, n) => http.request(url(origin, `/fast/${n}`))),
      );
      await Promise.all(requests.map((request) => request.response));
      for (const origin of [0, 1]) {
        const times = sent.filter((each) => each.origin === origins[origin]).map((each) => each.at);
        expect(times).toHaveLength(4);
        expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(190);
        expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(585);
        const arrived = seen(origin).map((arrival) => arrival.at);
        expect(arrived[3]! - arrived[0]!).toBeGreaterThanOrEqual(450);
      }
    });

    test('every exchange counts: a redirect hop waits for the window inside its slot', async () => {
      const http = client({ maxWorkers: 5, perOrigin: { rateLimit: { limit: 2, interval: 400 } } });
      const first = http.request(url(0, '/redirect?to=/fast/after-hop'));
      const second = http.request(url(0, '/fast/second'));
      const [a, b] = await Promise.all([first.response, second.response]);
      expect(a.status).toBe(200);
      expect(a.previous?.status).toBe(302);
      expect(b.status).toBe(200);
      const times = sent.map((each) => each.at);
      expect(times).toHaveLength(3);
      expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(385);
      expect(seen(0)).toHaveLength(3);
    });

    test('retries count too, and emit retrying between started and completed', async () => {
      const http = client({
        retry: { limit: 2, delay: 1, backoffLimit: 5 },
        rateLimit: { limit: 1, interval: 250 },
      });
      const events: string[] = [];
      for (const name of ['queued', 'started', 'retrying', 'completed', 'failed'] as HttpEventName[]) {
        http.on(name, (payload) =>
          events.push(`${name}${'attempt' in payload ? ` ${payload.attempt}` : ''}`),
        );
      }
      const response = await http.request(url(0, '/flaky/x')).response;
      expect(response.status).toBe(200);
      expect(response.attempts).toBe(2);
      const times = sent.map((each) => each.at);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(240);
      expect(seen(0)).toHaveLength(2);
      expect(events).toEqual(['queued', 'started', 'retrying 1', 'completed']);
    });

    test('a 429 with Retry-After pauses its origin only: other origins go on', async () => {
      const http = client({ maxWorkers: 4 });
      const paused: unknown[] = [];
      const resumed: unknown[] = [];
      http.on('paused', (payload) => paused.push(payload)).on('resumed', (payload) => resumed.push(payload));
      const limited = await http.request(url(0, '/limited/a?after=1')).response;
      expect(limited.status).toBe(429);
      expect(http.isPaused(origins[0]!)).toBe(true);
      expect(http.isPaused(origins[1]!)).toBe(false);
      expect(http.isPaused()).toBe(false);
      const before = performance.now();
      const other = http.request(url(1, '/fast/other'));
      const same = http.request(url(0, '/fast/same'));
      await other.response;
      expect(performance.now() - before).toBeLessThan(500);
      expect(same.done()).toBe(false);
      const stats = http.stats();
      expect(stats.origins[origins[0]!]).toMatchObject({ queued: 1, running: 0 });
      expect(stats.origins[origins[0]!]!.pausedUntil).toBeGreaterThan(Date.now());
      await same.response;
      expect(performance.now() - before).toBeGreaterThanOrEqual(700);
      expect(paused).toEqual([{ origin: origins[0], until: expect.any(Number) }]);
      expect(resumed).toEqual([{ origin: origins[0] }]);
    });

    test('pauseOnRetryAfter: false leaves the origin running; the pause is capped by retry.maxRetryAfter', async () => {
      const off = client({ pauseOnRetryAfter: false });
      expect((await off.request(url(0, '/limited/b?after=30')).response).status).toBe(429);
      expect(off.isPaused(origins[0]!)).toBe(false);
      const capped = client({ retry: { limit: 0, maxRetryAfter: 300 } });
      const started = performance.now();
      await capped.request(url(0, '/limited/c?after=30&status=503')).response;
      expect(capped.isPaused(origins[0]!)).toBe(true);
      await capped.request(url(0, '/fast/after-cap')).response;
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5_000);
    });

    test('no head-of-line blocking: a full origin never delays another', async () => {
      const http = client({ maxWorkers: 2, perOrigin: { maxWorkers: 1 } });
      const slow = Array.from({ length: 5 }, (_, n) => http.request(url(0, `/slow/${n}?ms=200`)));
      const started = performance.now();
      const quick = http.request(url(1, '/fast/quick'));
      await quick.response;
      expect(performance.now() - started).toBeLessThan(400);
      expect(slow.filter((request) => request.done()).length).toBeLessThan(2);
      await Promise.all(slow.map((request) => request.response));
    });

    test('among requests that can start: higher priority first, then call order, across origins', async () => {
      const http = client({ maxWorkers: 1 });
      const blocker = http.request(url(0, '/slow/blocker?ms=150'));
      const order = [
        http.request(url(0, '/fast/a0'), { priority: 0 }),
        http.request(url(1, '/fast/b5'), { priority: 5 }),
        http.request(url(2, '/fast/c1'), { priority: 1 }),
        http.request(url(1, '/fast/b1'), { priority: 1 }),
      ];
      await Promise.all([blocker, ...order].map((request) => request.response));
      expect(arrivals.map((arrival) => arrival.path)).toEqual([
        '/slow/blocker',
        '/fast/b5',
        '/fast/c1',
        '/fast/b1',
        '/fast/a0',
      ]);
    });

    test('events carry their payloads, in order per request, and idle comes last', async () => {
      const http = client({ maxWorkers: 2 });
      const log: [string, Record<string, unknown>][] = [];
      for (const name of ['queued', 'started', 'completed', 'failed', 'idle'] as HttpEventName[]) {
        http.on(name, (payload) => log.push([name, payload as Record<string, unknown>]));
      }
      const ok = http.request(url(0, '/fast/one'), { priority: 3 });
      const refused = http.request('http://127.0.0.1:1/nothing');
      await Promise.all([ok.wait(), refused.wait()]);
      await sleep(10);
      const of = (id: number) => log.filter(([, payload]) => payload.id === id).map(([name]) => name);
      expect(of(ok.id)).toEqual(['queued', 'started', 'completed']);
      expect(of(refused.id)).toEqual(['queued', 'started', 'failed']);
      expect(log.at(-1)).toEqual(['idle', {}]);
      const find = (name: string, id: number) =>
        log.find(([each, payload]) => each === name && payload.id === id)![1];
      expect(find('queued', ok.id)).toEqual({
        id: ok.id,
        method: 'GET',
        url: url(0, '/fast/one'),
        origin: origins[0],
        priority: 3,
      });
      expect(find('started', ok.id)).toMatchObject({ origin: origins[0], waited: expect.any(Number) });
      expect(find('completed', ok.id)).toMatchObject({
        status: 200,
        fromCache: false,
        duration: expect.any(Number),
      });
      expect((find('failed', refused.id).error as Error).name).toBe('ConnectionError');
      expect(http.stats()).toMatchObject({ queued: 0, running: 0, completed: 1, failed: 1 });
    });

    test('pause() and resume() for the client and for one origin; a pause with `for` ends by itself', async () => {
      const http = client({ maxWorkers: 4 });
      const events: string[] = [];
      http
        .on('paused', (p) => events.push(`paused ${p.origin ?? '*'}`))
        .on('resumed', (p) => events.push(`resumed ${p.origin ?? '*'}`));
      http.pause();
      expect(http.isPaused()).toBe(true);
      expect(http.isPaused(origins[2]!)).toBe(true);
      const held = http.request(url(0, '/fast/held'));
      await sleep(150);
      expect(arrivals).toHaveLength(0);
      expect(http.stats().queued).toBe(1);
      http.resume();
      await held.response;
      http.pause({ origin: origins[1]!, for: 200 });
      const started = performance.now();
      const [a, b] = [http.request(url(0, '/fast/a')), http.request(url(1, '/fast/b'))];
      await a.response;
      expect(b.done()).toBe(false);
      await b.response;
      expect(performance.now() - started).toBeGreaterThanOrEqual(180);
      expect(events).toEqual(['paused *', 'resumed *', `paused ${origins[1]}`, `resumed ${origins[1]}`]);
    });

    test('limits are settable at run time and apply at once', async () => {
      const http = client({ maxWorkers: 10, perOrigin: { maxWorkers: 1 } });
      const requests = Array.from({ length: 6 }, (_, n) => http.request(url(0, `/slow/${n}?ms=150`)));
      await sleep(50);
      http.perOrigin = { maxWorkers: 3 };
      expect(http.perOrigin).toEqual({ maxWorkers: 3 });
      await Promise.all(requests.map((request) => request.response));
      expect(peak[0]).toBe(3);
      http.rateLimit = { limit: 1, interval: 200 };
      const started = performance.now();
      await Promise.all([
        http.request(url(1, '/fast/r1')).response,
        http.request(url(1, '/fast/r2')).response,
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(180);
      http.maxWorkers = 1;
      http.rateLimit = undefined;
      expect(http.rateLimit).toEqual([]);
    });

    test('bad limits are a TypeError or RangeError naming the option, at construction and on assignment', () => {
      const bad: [Omit<HttpOptions, 'adapter'>, RegExp][] = [
        [{ perOrigin: { maxWorkers: 0 } }, /perOrigin\.maxWorkers/],
        [{ perOrigin: { maxWorkers: -1 } }, /perOrigin\.maxWorkers/],
        [{ perOrigin: { maxWorkers: 1.5 } }, /perOrigin\.maxWorkers/],
        [{ rateLimit: { limit: 0, interval: 1000 } }, /rateLimit\.limit/],
        [{ rateLimit: { limit: 2.5, interval: 1000 } }, /rateLimit\.limit/],
        [{ rateLimit: { limit: 5, interval: 0 } }, /rateLimit\.interval/],
        [{ rateLimit: { limit: 5, interval: -10 } }, /rateLimit\.interval/],
        [{ rateLimit: {} as never }, /rateLimit needs both limit/],
        [{ rateLimit: [] }, /rateLimit must hold at least one/],
        [{ rateLimit: [{ limit: 1, interval: 1 }, { limit: 1 } as never] }, /rateLimit\[1\]/],
        [{ perOrigin: 'x' as never }, /perOrigin must be an object/],
        [{ perOrigin: { rateLimit: { limit: 1, interval: 0 } } }, /perOrigin\.rateLimit\.interval/],
        [{ origins: { 'not a url': { maxWorkers: 1 } } }, /origins\["not a url"\]/],
        [{ origins: { 'ftp://x.example': { maxWorkers: 1 } } }, /origins\["ftp:\/\/x\.example"\]/],
        [{ origins: { [origins[0] ?? 'http://a.example']: { maxWorkers: 0 } } }, /maxWorkers/],
        [{ pauseOnRetryAfter: 'yes' as never }, /pauseOnRetryAfter/],
      ];
      for (const [options, message] of bad) {
        expect(() => client(options), JSON.stringify(options)).toThrow(message);
      }
      const http = client();
      expect(() => {
        http.perOrigin = { maxWorkers: 0 };
      }).toThrow(RangeError);
      expect(() => {
        http.rateLimit = { limit: 1, interval: -1 };
      }).toThrow(/rateLimit\.interval/);
      expect(() => {
        http.origins = { nope: {} };
      }).toThrow(TypeError);
      expect(() => http.pause({ for: -1 })).toThrow(RangeError);
      expect(() => http.pause({ origin: 'nope' })).toThrow(TypeError);
      expect(() => http.pause({ until: 5 } as never)).toThrow(/no option "until"/);
      expect(() => http.isPaused('nope')).toThrow(TypeError);
      expect(http.isPaused()).toBe(false);
    });

    test("on('bogus') lists the events; a listener that throws is logged and changes nothing", async () => {
      const warnings: string[] = [];
      const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
      const http = new Http({ adapter: create(), logger });
      clients.push(http);
      expect(() => http.on('bogus' as never, () => {})).toThrow(
        /queued, started, retrying, completed, failed, paused, resumed, idle/,
      );
      expect(() => http.on('queued', 'x' as never)).toThrow(TypeError);
      let after = 0;
      http.on('completed', () => {
        throw new Error('listener broke');
      });
      http.on('completed', () => after++);
      const once = http.once('started', () => after++);
      expect(once).toBe(http);
      const { response } = await http.request(url(0, '/fast/listener'));
      await http.request(url(0, '/fast/listener2')).response;
      expect(response.status).toBe(200);
      expect(after).toBe(3);
      expect(warnings.some((line) => line.includes('listener broke'))).toBe(true);
    });
  });
}
