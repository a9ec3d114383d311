import { STATUS_CODES } from 'node:http';
import { type Adapter, type AdapterRequest, type AdapterResponse, abortTarget } from '@asynchttp/core';
import { Agent, type Dispatcher } from 'undici';
import { declaredTooLarge, readBody, tooLarge, toWebStream } from './body.js';
import { abortError, toCoreError } from './errors.js';
import { agentOptionNames, type UndiciAdapterOptions } from './options.js';
import { trackStaleConnections } from './stale.js';

/**
 * An asynchttp adapter on undici's `request` API: keep-alive connections, one exchange per `send()`,
 * no redirects, decompression or retries (core does those).
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { undiciAdapter } from '@asynchttp/undici';
 *
 * const http = new Http({ adapter: undiciAdapter(), maxWorkers: 16 });
 * const { response, content } = await http.request('https://example.com/');
 * await http.close(); // closes the adapter's Agent
 * ```
 */
export function undiciAdapter(options: UndiciAdapterOptions = {}): Adapter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('undiciAdapter(options) takes an options object');
  }
  const { dispatcher: given } = options;
  if (given !== undefined) {
    const misplaced = agentOptionNames.filter((name) => options[name] !== undefined);
    if (misplaced.length > 0) {
      throw new TypeError(
        `undiciAdapter: ${misplaced.join(', ')} configure the adapter's own Agent; ` +
          'with options.dispatcher, set them on your dispatcher instead',
      );
    }
    if (typeof given.request !== 'function') {
      throw new TypeError(
        'undiciAdapter: options.dispatcher must be an undici Dispatcher (Agent, Pool, ...)',
      );
    }
  }
  // Tells core which dropped connections it may resend once (a reused socket, no response byte).
  trackStaleConnections();
  const dispatcher = given ?? createAgent(options);
  const owned = given === undefined;

  return {
    name: 'undici',
    send: (request) => send(dispatcher, request),
    async close() {
      // A dispatcher passed in belongs to its owner, who may share it.
      if (owned) await dispatcher.close();
    },
  };
}

function createAgent(options: UndiciAdapterOptions): Agent {
  const connect: Record<string, unknown> = {};
  if (options.ca !== undefined) connect.ca = options.ca;
  if (options.cert !== undefined) connect.cert = options.cert;
  if (options.key !== undefined) connect.key = options.key;
  if (options.rejectUnauthorized !== undefined) connect.rejectUnauthorized = options.rejectUnauthorized;
  return new Agent({
    connections: options.connections ?? null,
    keepAliveTimeout: options.keepAliveTimeout ?? 4_000,
    // Core owns the timeout (per attempt, through the signal); undici's own would race it.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect,
  });
}

async function send(dispatcher: Dispatcher, request: AdapterRequest): Promise<AdapterResponse> {
  const { url } = request;
  // An EventTarget-like signal is all undici needs; core's light target spares an AbortController.
  const signal = abortTarget(request);
  if (signal.aborted) throw abortError(signal);
  // undici reads a flat [name, value, name, value] array without per-pair checks.
  const pairs = request.headers;
  const headers: string[] = new Array(pairs.length * 2);
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    headers[2 * i] = pair[0];
    headers[2 * i + 1] = pair[1];
  }
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method,
      headers,
      // undici sends any async iterable as it comes (a web stream is one), chunked without a length.
      body: request.body as Dispatcher.DispatchOptions['body'],
      signal,
    });
  } catch (error) {
    throw toCoreError(error, request);
  }

  const { statusCode, body } = response;
  if (request.stream) {
    return {
      status: statusCode,
      reason: response.statusText || STATUS_CODES[statusCode] || '',
      headers: toPairs(response.headers),
      body: toWebStream(body, (error) => toCoreError(error, request)),
      decoded: false,
    };
  }
  const limit = request.maxResponseBytes;
  // HEAD, 204 and 304 may declare a length they never send.
  const hasBody = request.method !== 'HEAD' && statusCode !== 204 && statusCode !== 304;
  const contentLength = hasBody ? response.headers['content-length'] : undefined;
  if (declaredTooLarge(body, contentLength, limit)) throw tooLarge(limit!);
  let bytes: Uint8Array;
  try {
    bytes = await readBody(body, contentLength, limit);
  } catch (error) {
    throw toCoreError(error, request);
  }
  return {
    status: statusCode,
    reason: response.statusText || STATUS_CODES[statusCode] || '',
    headers: toPairs(response.headers),
    body: bytes,
    decoded: false,
  };
}

/** undici's header object to pairs; a repeated field (an array there) becomes one pair per value. */
function toPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') pairs.push([name, value]);
    else if (value !== undefined) for (const each of value) pairs.push([name, each]);
  }
  return pairs;
}
