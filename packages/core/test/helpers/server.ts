// A loopback server for core's tests: real sockets, routes chosen by path, counts what it sees.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  hits: number;
  /** Open connections right now. */
  readonly connections: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
  /** The most `/delay/<ms>` requests it held at once (reset it with `peak = 0`). */
  peak: number;
  close(): Promise<void>;
}

/**
 * Routes: `/delay/<ms>` answers after ms; `/echo` echoes method, headers and body as JSON;
 * `/status/<code>`; `/json` serves `{ "hello": "world" }`; `/hang` never answers; anything else 200 "ok".
 */
export async function startServer(): Promise<TestServer> {
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { hits: 0, requests: [] as TestServer['requests'], peak: 0, holding: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.hits++;
      const body = Buffer.concat(chunks);
      state.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, 'http://x').pathname;
      const delay = /^\/delay\/(\d+)/.exec(path);
      if (delay) {
        state.holding++;
        state.peak = Math.max(state.peak, state.holding);
        const timer = setTimeout(() => {
          state.holding--;
          timers.delete(timer);
          res.end(`waited ${delay[1]}`);
        }, Number(delay[1]));
        timers.add(timer);
        return;
      }
      if (path === '/hang') return;
      if (path === '/echo') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }),
        );
        return;
      }
      const status = /^\/status\/(\d+)/.exec(path);
      if (status) {
        res.statusCode = Number(status[1]);
        res.end(`status ${status[1]}`);
        return;
      }
      if (path === '/json') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end('{"hello":"world"}');
        return;
      }
      if (path === '/latin1') {
        res.setHeader('content-type', 'text/plain; charset=iso-8859-1');
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
        return;
      }
      if (path === '/cacheable') {
        res.setHeader('cache-control', 'max-age=300');
        res.end(`cacheable ${state.hits}`);
        return;
      }
      if (path === '/twice') {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.end('two cookies');
        return;
      }
      res.end('ok');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    get requests() {
      return state.requests;
    },
    get connections() {
      return sockets.size;
    },
    get peak() {
      return state.peak;
    },
    set peak(value: number) {
      state.peak = value;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } as TestServer;
}
