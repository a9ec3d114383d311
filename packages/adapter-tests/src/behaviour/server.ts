// The loopback server behind the httplib2 behaviour suite: redirects, encodings, auth challenges and
// flaky endpoints, each counting its hits so tests can tell what reached the network.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { type Flood, flood } from '../flood.js';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Which listener (0 or 1: two origins) took it. */
  origin: number;
  /** Index of this request on its connection (0 for the first). */
  onSocket: number;
}

export interface BehaviourServer {
  /** Two origins served by the same handler. */
  urls: [string, string];
  seen: Seen[];
  /** Requests seen for a path (query ignored). */
  hits(path: string): Seen[];
  reset(): void;
  /** The `/flood/<mib>` response for this exact target (path and query), once it started. */
  flooded(target: string): Flood | undefined;
  readonly connections: number;
  close(): Promise<void>;
}

export const text = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
export const users = { name: 'joe', password: 'pass word' };

let bomb: Buffer | undefined;
/** A 10 MiB gzip (160 members of 64 MiB of zeros each) that inflates to 10 GiB. */
export function gzipBomb(): Buffer {
  if (bomb === undefined) {
    const member = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: Math.ceil((10 * 1024 * 1024) / member.length) }, () => member));
  }
  return bomb;
}

const digestAlgorithms: Record<string, string> = {
  md5: 'MD5',
  'md5-sess': 'MD5-sess',
  sha256: 'SHA-256',
  'sha256-sess': 'SHA-256-sess',
};

function parseAuthParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/([a-z0-9-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi)) {
    params[match[1]!.toLowerCase()] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return params;
}

export async function startBehaviourServer(): Promise<BehaviourServer> {
  const seen: Seen[] = [];
  const counters = new Map<string, number>();
  const floods = new Map<string, Flood>();
  const nonces = new Map<string, { nc: number; stale: boolean }>();
  const sockets = new Set<Socket>();
  const perSocket = new WeakMap<Socket, number>();
  const timers = new Set<NodeJS.Timeout>();
  const servers: http.Server[] = [];
  let ports: number[] = [];

  const count = (key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };

  const handler = (origin: number) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const onSocket = perSocket.get(req.socket) ?? 0;
      perSocket.set(req.socket, onSocket + 1);
      const url = new URL(req.url!, 'http://x');
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, origin, onSocket });
      const parts = url.pathname.split('/').filter(Boolean);
      const send = (
        status: number,
        payload: string | Buffer = '',
        headers: Record<string, string | string[]> = {},
      ) => {
        res.writeHead(status, headers);
        res.end(req.method === 'HEAD' ? undefined : payload);
      };
      switch (parts[0]) {
        case 'echo':
          return send(200, JSON.stringify({ method: req.method, headers: req.headers, body, url: req.url }), {
            'content-type': 'application/json',
          });
        case 'redirect': {
          // /redirect/<code>?to=<location>
          const location = url.searchParams.get('to');
          return send(Number(parts[1]), `redirect ${parts[1]}`, location === null ? {} : { location });
        }
        case 'chain': {
          const n = Number(parts[1]);
          return n === 0 ? send(200, 'end of chain') : send(302, '', { location: `/chain/${n - 1}` });
        }
        case 'loop':
          return send(302, 'again', { location: '/loop' });
        case 'other-origin':
          return send(302, '', { location: `http://127.0.0.1:${ports[1]}/echo` });
        case 'encoded': {
          // /encoded/<gzip|deflate|deflate-raw|br|corrupt>
          const raw = Buffer.from(text);
          const kind = parts[1];
          const data =
            kind === 'gzip'
              ? zlib.gzipSync(raw)
              : kind === 'deflate'
                ? zlib.deflateSync(raw)
                : kind === 'deflate-raw'
                  ? zlib.deflateRawSync(raw)
                  : kind === 'br'
                    ? zlib.brotliCompressSync(raw)
                    : Buffer.concat([zlib.gzipSync(raw).subarray(0, 20), Buffer.from('not gzip at all')]);
          const encoding = kind === 'deflate-raw' ? 'deflate' : kind === 'corrupt' ? 'gzip' : kind!;
          return send(200, data, {
            'content-type': 'text/plain; charset=utf-8',
            'content-encoding': encoding,
          });
        }
        case 'flood':
          // /flood/<mib>: written only as fast as the client reads.
          floods.set(req.url!, flood(res, Number(parts[1]) * 1024 * 1024));
          return;
        case 'bomb':
          return send(200, gzipBomb(), {
            'content-type': 'application/octet-stream',
            'content-encoding': 'gzip',
          });
        case 'ratio': {
          // 32 MiB of spaces: far below 64 MiB, but about 1000 times its gzip size.
          const data = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, 32));
          return send(200, data, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        }
        case 'basic': {
          const expected = `Basic ${Buffer.from(`${users.name}:${users.password}`).toString('base64')}`;
          if (req.headers.authorization === expected) return send(200, 'basic ok');
          return send(401, 'who are you', { 'www-authenticate': 'Basic realm="test"' });
        }
        case 'digest':
        case 'both':
          return digest(req, parts, send);
        case 'flaky': {
          // /flaky/<key>?fail=<n>&status=<code>: fails n times, then 200.
          const n = count(url.pathname);
          const fail = Number(url.searchParams.get('fail') ?? 1);
          if (n <= fail) {
            const headers: Record<string, string> = {};
            const after = url.searchParams.get('after');
            if (after !== null) headers['retry-after'] = after;
            return send(Number(url.searchParams.get('status') ?? 503), 'try again', headers);
          }
          return send(200, `ok after ${n}`);
        }
        case 'reset':
          // /reset/<key>?times=<n>: destroys the connection n times, then answers.
          if (count(url.pathname) <= Number(url.searchParams.get('times') ?? 1e9)) {
            req.socket.destroy();
            return;
          }
          return send(200, 'ok after resets');
        case 'drop-second':
          // The second request on a kept-alive connection finds it dropped, as with a server's idle timeout.
          if (onSocket >= 1) {
            req.socket.destroy();
            return;
          }
          return send(200, `served on a fresh connection`);
        case 'cache':
          return cached(req, parts, url, send);
        case 'hang':
          return;
        case 'delay': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send(200, 'late');
          }, Number(parts[1]));
          timers.add(timer);
          return;
        }
        default:
          return send(200, 'ok');
      }
    });
  };

  // /cache/<kind>/<test-key>: resources with cache headers, counting their hits by full path.
  const versions = new Map<string, number>();
  function cached(
    req: http.IncomingMessage,
    parts: string[],
    url: URL,
    send: (status: number, payload?: string | Buffer, headers?: Record<string, string | string[]>) => void,
  ) {
    const n = count(url.pathname);
    const kind = parts[1];
    const lastModified = 'Tue, 15 Nov 1994 12:45:26 GMT';
    switch (kind) {
      case 'fresh':
        return send(200, `fresh ${n}`, { 'cache-control': 'max-age=300', 'content-type': 'text/plain' });
      case 'gzip':
        return send(200, zlib.gzipSync(Buffer.from(`zipped ${n}`)), {
          'cache-control': 'max-age=300',
          'content-encoding': 'gzip',
          'content-type': 'text/plain',
        });
      case 'etag':
        if (req.headers['if-none-match'] === '"v1"') {
          return send(304, '', { etag: '"v1"', 'cache-control': 'max-age=0', 'x-revalidated': String(n) });
        }
        return send(200, `etag body ${n}`, {
          etag: '"v1"',
          'cache-control': 'max-age=0',
          'x-revalidated': 'no',
        });
      case 'modified':
        if (req.headers['if-modified-since'] === lastModified) {
          return send(304, '', { 'last-modified': lastModified, 'cache-control': 'max-age=0' });
        }
        return send(200, `modified body ${n}`, {
          'last-modified': lastModified,
          'cache-control': 'max-age=0',
        });
      case 'then-500':
        if (req.headers['if-none-match'] !== undefined) return send(500, 'broken');
        return send(200, `first ${n}`, { etag: '"e"', 'cache-control': 'max-age=0' });
      case 'vary1':
        return send(200, `lang=${req.headers['accept-language'] ?? ''} ${n}`, {
          'cache-control': 'max-age=300',
          vary: 'Accept-Language',
        });
      case 'vary2':
        return send(
          200,
          `lang=${req.headers['accept-language'] ?? ''} custom=${req.headers['x-custom'] ?? ''} ${n}`,
          {
            'cache-control': 'max-age=300',
            vary: 'Accept-Language, X-Custom',
          },
        );
      case 'no-store':
        return send(200, `no-store ${n}`, { 'cache-control': 'no-store, max-age=300' });
      case 'moved':
        return send(301, 'moved', { location: `/cache/fresh/${parts[2]}-target` });
      case 'moved308':
        return send(308, 'moved', { location: `/cache/fresh/${parts[2]}-target` });
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(200, `slow ${n}`, { 'cache-control': 'max-age=300' });
        }, 150);
        timers.add(timer);
        return;
      }
      case 'updates': {
        // httplib2's conditional-updates resource: PUT needs If-Match with the current ETag.
        const version = versions.get(url.pathname) ?? 1;
        const etag = `"${version}"`;
        if (req.method === 'PUT' || req.method === 'PATCH') {
          if (req.headers['if-match'] !== etag) return send(412, 'Precondition Failed');
          versions.set(url.pathname, version + 1);
          return send(200, 'updated');
        }
        return send(200, `version ${version}`, { etag, 'cache-control': 'max-age=300' });
      }
      case 'resource':
        if (req.method === 'DELETE') return send(204);
        return send(200, `resource ${n}`, { 'cache-control': 'max-age=300' });
      default:
        return send(404, 'no such cache resource');
    }
  }

  function digest(
    req: http.IncomingMessage,
    parts: string[],
    send: (status: number, payload?: string, headers?: Record<string, string | string[]>) => void,
  ) {
    // /digest/<alg>/<mode>/... with mode plain | stale | noqop; /both/... offers Digest and Basic.
    const both = parts[0] === 'both';
    const algorithm = both ? 'MD5' : digestAlgorithms[parts[1]!]!;
    const mode = both ? 'plain' : parts[2];
    const hashName = algorithm.toLowerCase().startsWith('sha-256') ? 'sha256' : 'md5';
    const h = (s: string) => createHash(hashName).update(s).digest('hex');
    const opaque = 'opaque-value';
    const challenge = (stale: boolean) => {
      const nonce = randomBytes(8).toString('hex');
      nonces.set(nonce, { nc: 0, stale: mode === 'stale' && !stale });
      const qop = mode === 'noqop' ? '' : ', qop="auth,auth-int"';
      return `Digest realm="behaviour", nonce="${nonce}", algorithm=${algorithm}, opaque="${opaque}"${qop}${stale ? ', stale=true' : ''}`;
    };
    const header = req.headers.authorization;
    const refuse = (stale = false) => {
      const challenges = [challenge(stale)];
      if (both) challenges.push('Basic realm="behaviour"');
      send(401, 'digest required', { 'www-authenticate': challenges });
    };
    if (header === undefined || !header.startsWith('Digest ')) return refuse();
    const p = parseAuthParams(header.slice(7));
    const state = nonces.get(p.nonce ?? '');
    if (state === undefined || p.opaque !== opaque || p.username !== users.name) return refuse();
    if (state.stale) {
      nonces.delete(p.nonce!);
      return refuse(true);
    }
    let ha1 = h(`${users.name}:behaviour:${users.password}`);
    if (algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${p.nonce}:${p.cnonce}`);
    const ha2 = h(`${req.method}:${p.uri}`);
    const nc = Number.parseInt(p.nc ?? '0', 16);
    const expected =
      mode === 'noqop'
        ? h(`${ha1}:${p.nonce}:${ha2}`)
        : h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
    if (p.response !== expected || p.uri !== req.url) return refuse();
    if (mode !== 'noqop') {
      // nc must grow with every use of a nonce.
      if (nc <= state.nc) return refuse();
      state.nc = nc;
    }
    send(200, `digest ok nc=${p.nc ?? 'none'}`);
  }

  for (const origin of [0, 1]) {
    const server = http.createServer(handler(origin));
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  ports = servers.map((server) => (server.address() as AddressInfo).port);

  return {
    urls: [`http://127.0.0.1:${ports[0]}`, `http://127.0.0.1:${ports[1]}`],
    seen,
    hits: (path) => seen.filter((s) => s.url.split('?')[0] === path),
    reset() {
      seen.length = 0;
      counters.clear();
    },
    flooded: (target) => floods.get(target),
    get connections() {
      return sockets.size;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}
