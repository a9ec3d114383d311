/**
 * Interceptors wrap every exchange with the adapter, below redirects, the cache, retries and decoding:
 * a signature on each request sent, a bearer token refreshed after a 401, a timing row per exchange,
 * and a mock that answers without the network but still goes through core's rules.
 */
import { createHmac } from 'node:crypto';
import { type AdapterRequest, Http, type Interceptor } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';

// 1. Signing: each exchange (a retry or a redirect hop too) is signed for its own URL.
const sign =
  (secret: string): Interceptor =>
  (next) =>
  (request) => {
    const signature = createHmac('sha256', secret)
      .update(`${request.method} ${request.url.pathname}`)
      .digest('base64url');
    return next({ ...request, headers: [...request.headers, ['x-signature', signature]] });
  };

// 2. Token refresh: the first token has expired; a 401 fetches a new one and sends again.
let issued = 0;
let token: Promise<string> | undefined;
const fetchToken = async (): Promise<string> => `token-${++issued}`;
const bearer: Interceptor = (next) => async (request) => {
  const withToken = async (): Promise<AdapterRequest> => {
    // One refresh at a time: every request that needs a token waits for the same one.
    token ??= fetchToken();
    return { ...request, headers: [...request.headers, ['authorization', `Bearer ${await token}`]] };
  };
  const response = await next(await withToken());
  if (response.status !== 401) return response;
  token = undefined;
  return next(await withToken());
};
// The transit API has no auth: this stands in for a server that accepts only token-2 and later.
const expiresFirstToken: Interceptor = (next) => async (request) => {
  const authorization = request.headers.find(([name]) => name === 'authorization')?.[1];
  if (authorization === 'Bearer token-1') {
    return {
      status: 401,
      reason: 'Unauthorized',
      headers: [['www-authenticate', 'Bearer']],
      body: new Uint8Array(),
    };
  }
  return next(request);
};

// 3. Timing: one row per exchange.
const timings: { url: string; status: number | string; ms: number }[] = [];
const timing: Interceptor = (next) => async (request) => {
  const started = performance.now();
  let status: number | string = 'failed';
  try {
    const response = await next(request);
    status = response.status;
    return response;
  } finally {
    timings.push({ url: request.url.pathname, status, ms: performance.now() - started });
  }
};

// 4. A mock: answers from a table, without the network.
const mock =
  (routes: Record<string, unknown>): Interceptor =>
  () =>
  async (request) => {
    const found = routes[request.url.pathname];
    const body = new TextEncoder().encode(JSON.stringify(found ?? { error: 'not found' }));
    const status = found === undefined ? 404 : 200;
    return {
      status,
      reason: status === 200 ? 'OK' : 'Not Found',
      headers: [['content-type', 'application/json']],
      body,
    };
  };

export async function main(baseUrl: string): Promise<void> {
  const http = new Http({
    adapter: undiciAdapter(),
    // timing sits below bearer, so each exchange the token refresh makes gets its own row.
    interceptors: [bearer, sign('s3cret'), timing, expiresFirstToken],
  });
  const { response, data } = await http.request(new URL('agencies.json', baseUrl), {
    callback: ({ content }) => content.json<{ items: unknown[] }>(),
  });
  console.log(`signed, with a refreshed token: ${response.status}, ${data.items.length} agencies`);
  console.log(`tokens issued: ${issued}`);
  for (const row of timings)
    console.log(`timing: ${row.url} ${row.status} (${row.ms >= 0 ? 'ms measured' : 'no time'})`);
  await http.close();

  const offline = new Http({
    adapter: undiciAdapter(),
    interceptors: [mock({ '/agencies.json': { items: [{ id: 'mocked' }] } })],
  });
  // Nothing listens on port 1: only the mock answers.
  const mocked = await offline.request('http://127.0.0.1:1/agencies.json').content;
  console.log(`mocked: ${mocked.text()}`);
  await offline.close();
}
