import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The body variants the server answers, by path. */
export const variants = {
  /** 64 bytes, at once. */
  small: { path: '/64b', bytes: 64, delayMs: 0, label: '64 B' },
  /** 64 KiB, at once. */
  large: { path: '/64k', bytes: 64 * 1024, delayMs: 0, label: '64 KiB' },
  /** 64 bytes after 1 ms (a timer per request), so requests overlap like real ones. */
  delayed: { path: '/64b-delay', bytes: 64, delayMs: 1, label: '64 B +1 ms' },
} as const;

export type VariantName = keyof typeof variants;

/** Messages the server child sends over IPC. */
interface ServerMessage {
  /** The first port, then every other one (`ports` of them in all). */
  ports: number[];
}

/** A running server child: its base URL and a way to stop it. */
export interface BenchServer {
  readonly origin: string;
  /** `http://127.0.0.1:<port>` of every port it listens on, `origin` first. */
  readonly origins: readonly string[];
  stop(): Promise<void>;
}

/**
 * Forks this file as a child process and waits for its port, so client and server never share an event
 * loop or a core's worth of JIT. The child is killed when this process exits for any reason, and the
 * child exits on its own when the IPC channel closes (the parent died without cleaning up). With
 * `ports` above 1 the same server listens on that many loopback ports: as many origins, for the
 * per-origin scheduling rows, without DNS or extra addresses.
 */
export function startServer(timeoutMs = 10_000, ports = 1): Promise<BenchServer> {
  // No --expose-gc / --cpu-prof in the server: a profile must show the client only.
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(ports)], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`The bench server did not report its port within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      kill();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The bench server exited before it listened (code ${code}, signal ${signal})`));
    });
    child.once('message', (message: ServerMessage) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const origins = message.ports.map((port) => `http://127.0.0.1:${port}`);
      resolve({ origin: origins[0]!, origins, stop: () => stop(child, kill) });
    });
  });
}

function stop(child: ChildProcess, kill: () => void): Promise<void> {
  process.removeListener('exit', kill);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(kill, 2_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The child's side: a keep-alive node:http server on loopback, fixed bodies made once. */
function serve(ports: number): void {
  const routes = new Map<string, { body: Buffer; headers: Record<string, string>; delayMs: number }>();
  for (const variant of Object.values(variants)) {
    const body = Buffer.alloc(variant.bytes, 'x');
    routes.set(variant.path, {
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) },
      delayMs: variant.delayMs,
    });
  }
  const notFound = Buffer.from('not found\n');

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // `?cache` asks for the same body with freshness headers, for the cache-hit row.
    const [path, query] = (request.url ?? '').split('?');
    const route = routes.get(path ?? '');
    if (route === undefined) {
      response.writeHead(404, { 'content-length': String(notFound.byteLength) });
      response.end(notFound);
      return;
    }
    if (query === 'cache') {
      response.writeHead(200, { ...route.headers, 'cache-control': 'max-age=3600' });
      response.end(route.body);
      return;
    }
    if (route.delayMs === 0) {
      response.writeHead(200, route.headers);
      response.end(route.body);
      return;
    }
    setTimeout(() => {
      response.writeHead(200, route.headers);
      response.end(route.body);
    }, route.delayMs);
  });
  // Connections stay open for the whole run: clients measure requests, not handshakes.
  server.keepAliveTimeout = 10 * 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  // One node:http server can listen on one port only; the others share its handler and settings.
  const servers = [server];
  for (let i = 1; i < ports; i++) {
    const extra = createServer(server.listeners('request')[0] as Parameters<typeof createServer>[0]);
    extra.keepAliveTimeout = server.keepAliveTimeout;
    extra.headersTimeout = 0;
    extra.requestTimeout = 0;
    extra.maxRequestsPerSocket = 0;
    servers.push(extra);
  }
  const listening = servers.map(
    (each) =>
      new Promise<number>((resolve) => {
        each.listen(0, '127.0.0.1', () => {
          const address = each.address();
          if (address === null || typeof address === 'string') throw new Error('no TCP address');
          resolve(address.port);
        });
      }),
  );
  void Promise.all(listening).then((list) => process.send!({ ports: list } satisfies ServerMessage));
  const quit = () => {
    for (const each of servers) {
      each.closeAllConnections();
      each.close();
    }
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('SIGINT', () => {
    // The parent handles Ctrl-C and stops us; ignore the terminal's copy of the signal.
  });
  // The parent is gone (even SIGKILLed): never outlive it.
  process.on('disconnect', quit);
}

if (process.argv[2] === '--serve' && process.send !== undefined) serve(Number(process.argv[3] ?? '1'));
