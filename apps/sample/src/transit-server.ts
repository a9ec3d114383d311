import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateTransitData, type TransitData } from './transit-data.js';

export interface TransitServerOptions {
  /** What to serve. @default generateTransitData() */
  data?: TransitData;
  /** Each answer waits a random number of ms in this range, like a real API a few hops away. @default [1, 5] */
  latency?: readonly [number, number];
  /** @default 0 (a free port) */
  port?: number;
}

export interface TransitServer {
  /** The base URL, with a trailing slash: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly data: TransitData;
  /** How many requests it has answered. */
  readonly served: number;
  /** Requests in progress (arrived, not yet answered) now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  close(): Promise<void>;
}

/**
 * Starts the embedded transit API on loopback (127.0.0.1): `/agencies.json`,
 * `/agencies/<agency>/routes.json` and `/agencies/<agency>/routes/<route>.json`; and one write,
 * `POST /feedback.json` with a JSON object, answered `201 { id, ...object }` (400 for anything else).
 */
export async function startTransitServer(options: TransitServerOptions = {}): Promise<TransitServer> {
  const data = options.data ?? generateTransitData();
  const [low, high] = options.latency ?? [1, 5];
  // Answers are built once: the server should cost the client's measurements as little as possible.
  const bodies = new Map<string, string>();
  bodies.set('/agencies.json', JSON.stringify({ items: data.agencies }));
  for (const [agency, routes] of data.routes) {
    const items = routes.map(({ id, display_name }) => ({ id, display_name }));
    bodies.set(`/agencies/${agency}/routes.json`, JSON.stringify({ items }));
    for (const route of routes) {
      bodies.set(`/agencies/${agency}/routes/${encodeURIComponent(route.id)}.json`, JSON.stringify(route));
    }
  }

  let served = 0;
  let feedback = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    served++;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/feedback.json' && request.method === 'POST') {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        send(response, 400, JSON.stringify({ error: 'expected a JSON object' }));
      } else {
        send(response, 201, JSON.stringify({ id: ++feedback, ...json }));
      }
      return;
    }
    const found = request.method === 'GET' || request.method === 'HEAD' ? bodies.get(path) : undefined;
    if (found === undefined) {
      const known = bodies.has(path) || path === '/feedback.json';
      send(
        response,
        known ? 405 : 404,
        JSON.stringify({ error: known ? 'method not allowed' : `no such resource: ${path}` }),
      );
      return;
    }
    send(response, 200, found);
  };

  const server = createServer((request, response) => {
    // What a client's concurrency limits look like from here: from arrival to the answer's end.
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delay = low + Math.random() * (high - low);
      setTimeout(answer, delay, request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    data,
    get served() {
      return served;
    },
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Kept-alive sockets of a client that has not closed yet must not hold the process open.
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
