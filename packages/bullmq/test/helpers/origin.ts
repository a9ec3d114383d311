import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback origin that records what the fleet does to it: concurrency, start times, bodies. */
export interface TestOrigin {
  url: string;
  /** Start time (ms) of every request, by path prefix. */
  starts: { path: string; at: number; worker: string | undefined }[];
  running: number;
  maxRunning: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startOrigin(
  handle?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean,
): Promise<TestOrigin> {
  const origin: TestOrigin = {
    url: '',
    starts: [],
    running: 0,
    maxRunning: 0,
    reset() {
      origin.starts = [];
      origin.maxRunning = 0;
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url!, 'http://x');
      origin.starts.push({
        path: url.pathname,
        at: Date.now(),
        worker: req.headers['x-worker'] as string | undefined,
      });
      origin.running++;
      origin.maxRunning = Math.max(origin.maxRunning, origin.running);
      res.on('close', () => origin.running--);
      if (handle?.(req, res, body)) return;
      const delay = Number(url.searchParams.get('delay') ?? 0);
      setTimeout(() => {
        if (url.pathname === '/echo') {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-method': req.method! });
          res.end(body);
        } else {
          res.writeHead(200, { 'content-type': 'text/plain', 'x-pid': 'origin' });
          res.end(`${req.method} ${url.pathname}`);
        }
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  origin.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return origin;
}
