// The loopback servers the suite talks to: real sockets, routes chosen by path, and counters for what
// the server saw (connections, requests in flight) so the suite can check an adapter from outside.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Flood, flood } from './flood.js';

/** One request as the server received it. */
export interface SeenRequest {
  method: string;
  /** The request target exactly as sent (path and query). */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Which connection carried it (1, 2, ... in order of accept). */
  connection: number;
}

/** A running loopback server. */
export interface SuiteServer {
  /** Base URL, such as `http://127.0.0.1:43210`. */
  readonly url: string;
  /** Connections open right now. */
  readonly openConnections: number;
  /** Most requests in flight at once since the last `resetPeak()`. */
  readonly peakInFlight: number;
  resetPeak(): void;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  /** Requests whose target starts with `prefix`. */
  seen(prefix: string): SeenRequest[];
  /** Settles when the response to a request whose target starts with `prefix` is closed or done. */
  closed(prefix: string): Promise<void>;
  /** Settles when a request whose target starts with `prefix` has arrived (headers read). */
  arrived(prefix: string): Promise<void>;
  /** The `/flood/<mib>` response whose target starts with `prefix`, once it started. */
  flooded(prefix: string): Flood | undefined;
  close(): Promise<void>;
}

/** Payloads the routes serve, made once per suite so the tests can compare byte for byte. */
export interface Payloads {
  /** 1 MiB of random bytes, served by `/bytes/1m`. */
  readonly small: Buffer;
  /** 20 MiB of random bytes, served by `/bytes/20m`. */
  readonly large: Buffer;
  /** Plain text of `/gzip`. */
  readonly text: string;
  /** Its gzip encoding, the body `/gzip` sends. */
  readonly gzipped: Buffer;
}

export function makePayloads(): Payloads {
  const text = 'asynchttp gzip check: '.repeat(200);
  return {
    small: randomBytes(1024 * 1024),
    large: randomBytes(20 * 1024 * 1024),
    text,
    gzipped: gzipSync(text),
  };
}

interface ServerOptions {
  tls?: { cert: string; key: string } | undefined;
}

/**
 * Routes:
 * - `/echo`: answers JSON `{ method, url, headers, length }`; `x-method` carries the method (HEAD too).
 * - `/echo-body`: answers the request body as it came.
 * - `/bytes/1m`, `/bytes/20m`: the random payloads.
 * - `/status/<code>`: that status (`location: /target` on 3xx); no body on 204 and 304.
 * - `/headers`: two `set-cookie` and two `x-repeated` fields.
 * - `/gzip`: gzip bytes with `content-encoding: gzip`, whatever was asked.
 * - `/hold/<ms>`: answers after ms.
 * - `/hang`: never answers.
 * - `/slow-body`: headers and a first chunk at once, then a chunk every 50 ms, never ending.
 * - `/cut`: promises 1 MiB, sends 1 KiB, then destroys the socket.
 * - `/flood/<mib>`: that many MiB, chunked, written only as fast as the client reads (see `flooded`).
 */
export async function startServer(payloads: Payloads, options: ServerOptions = {}): Promise<SuiteServer> {
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters: { prefix: string; resolve: () => void }[] = [];
  const closers: { prefix: string; resolve: () => void }[] = [];
  const requests: SeenRequest[] = [];
  const floods = new Map<string, Flood>();
  let nextConnection = 0;
  let inFlight = 0;
  let peak = 0;

  // Keyed by the socket a request came on (the TLS socket for HTTPS), numbered on first sight.
  const connectionOf = (socket: Socket) => {
    let id = connectionIds.get(socket);
    if (id === undefined) {
      id = ++nextConnection;
      connectionIds.set(socket, id);
    }
    return id;
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const target = req.url ?? '/';
    inFlight++;
    if (inFlight > peak) peak = inFlight;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight--;
    };
    res.on('close', done);
    res.on('close', () => {
      for (let i = closers.length - 1; i >= 0; i--) {
        if (target.startsWith(closers[i]!.prefix)) closers.splice(i, 1)[0]!.resolve();
      }
    });
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (target.startsWith(waiters[i]!.prefix)) waiters.splice(i, 1)[0]!.resolve();
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        url: target,
        headers: req.headers,
        body,
        connection: connectionOf(req.socket),
      });
      route(req, res, target, body);
    });
  };

  const route = (req: http.IncomingMessage, res: http.ServerResponse, target: string, body: Buffer) => {
    const path = target.split('?')[0]!;
    if (path === '/echo' || path.startsWith('/a%20b/')) {
      const json = JSON.stringify({
        method: req.method,
        url: target,
        headers: req.headers,
        length: body.length,
      });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-method', req.method ?? '');
      res.end(json);
      return;
    }
    if (path === '/echo-body') {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(body);
      return;
    }
    if (path === '/bytes/1m' || path === '/bytes/20m') {
      const bytes = path === '/bytes/1m' ? payloads.small : payloads.large;
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', bytes.length);
      res.end(bytes);
      return;
    }
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      const code = Number(status[1]);
      res.statusCode = code;
      if (code >= 300 && code < 400) res.setHeader('location', '/target');
      if (code === 204 || code === 304) res.end();
      else res.end(`status ${code}`);
      return;
    }
    if (path === '/headers') {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('x-repeated', ['one', 'two']);
      res.end('headers');
      return;
    }
    if (path === '/gzip') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-length', payloads.gzipped.length);
      res.end(payloads.gzipped);
      return;
    }
    const hold = /^\/hold\/(\d+)$/.exec(path);
    if (hold) {
      later(Number(hold[1]), () => res.end('held'));
      return;
    }
    if (path === '/hang') return;
    if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(1024, 1));
      const tick = () => {
        if (res.destroyed) return;
        res.write(Buffer.alloc(1024, 1));
        later(50, tick);
      };
      later(50, tick);
      return;
    }
    if (path === '/cut') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1024 * 1024 });
      res.write(Buffer.alloc(1024, 2), () => later(20, () => req.socket.destroy()));
      return;
    }
    const floodSize = /^\/flood\/(\d+)$/.exec(path);
    if (floodSize) {
      floods.set(target, flood(res, Number(floodSize[1]) * 1024 * 1024));
      return;
    }
    res.end('ok');
  };

  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A failed TLS handshake is the point of one case; it must not crash the server.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';

  return {
    url: `${scheme}://127.0.0.1:${port}`,
    closed: (prefix) => new Promise<void>((resolve) => closers.push({ prefix, resolve })),
    get openConnections() {
      return sockets.size;
    },
    get peakInFlight() {
      return peak;
    },
    resetPeak() {
      peak = inFlight;
    },
    requests,
    seen(prefix) {
      return requests.filter((request) => request.url.startsWith(prefix));
    },
    arrived(prefix) {
      return new Promise<void>((resolve) => waiters.push({ prefix, resolve }));
    },
    flooded(prefix) {
      for (const [target, state] of floods) if (target.startsWith(prefix)) return state;
      return undefined;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
