// TODO(__NAME__): this reference adapter runs on node:http and passes the whole conformance suite. Replace
// the transport with __NAME__ one piece at a time and keep `pnpm --filter @asynchttp/__NAME__ test` green.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  type Adapter,
  type AdapterFactory,
  type AdapterRequest,
  type AdapterResponse,
  ResponseTooLargeError,
} from '@asynchttp/core';
import { toCoreError } from './errors.js';

/**
 * Options of `__FACTORY__()`.
 *
 * TODO(__NAME__): expose what users need from __NAME__ (an instance of its client, pool sizes), nothing
 * that core already does (timeouts, redirects, retries, decompression).
 */
export interface __TYPE__Options {
  /** Certificate authorities (PEM) to trust for `https:` URLs instead of Node's bundled ones. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
}

interface Pools {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/**
 * The __NAME__ adapter: one HTTP exchange per `send()`, on keep-alive connection pools that
 * `close()` ends.
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { __FACTORY__ } from '@asynchttp/__NAME__';
 *
 * const http = new Http({ adapter: __FACTORY__(), maxWorkers: 5 });
 * ```
 */
export const __FACTORY__: AdapterFactory<__TYPE__Options> = (options) => {
  // One pool per adapter rather than Node's global agents, so close() ends exactly the sockets it opened.
  const pools: Pools = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ca: options?.ca }),
  };
  const adapter: Adapter = {
    name: '__NAME__',
    send: (request) => send(request, pools),
    async close() {
      pools.http.destroy();
      pools.https.destroy();
    },
  };
  return adapter;
};

async function send(request: AdapterRequest, pools: Pools): Promise<AdapterResponse> {
  const { signal } = request;
  // Cancelled while queued: reject without opening a socket.
  signal.throwIfAborted();
  const secure = request.url.protocol === 'https:';
  const req = (secure ? https : http).request(request.url, {
    method: request.method,
    headers: toNodeHeaders(request),
    agent: secure ? pools.https : pools.http,
  });
  let res: http.IncomingMessage | undefined;
  // Destroying both ends frees the socket at once instead of returning a half-read one to the pool.
  const onAbort = () => {
    req.destroy(signal.reason);
    res?.destroy(signal.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let streaming = false;
  try {
    res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      // Stays attached after the response so a late socket error cannot become an uncaught exception.
      req.on('error', reject);
      const { body } = request;
      if (body === undefined || body instanceof Uint8Array) req.end(body);
      // A stream body goes out as it is read; if it fails, the request fails with its error.
      else
        Readable.fromWeb(body as WebReadableStream<Uint8Array>)
          .on('error', (error) => req.destroy(error))
          .pipe(req);
    });
    // `stream: true`: the body goes back unread; the signal is still honoured until it ends.
    streaming = request.stream === true;
    const body = streaming
      ? streamBody(res, request, () => signal.removeEventListener('abort', onAbort))
      : await readBody(res, request);
    return {
      status: res.statusCode ?? 0,
      reason: res.statusMessage ?? '',
      version: res.httpVersion,
      headers: toPairs(res.rawHeaders),
      body,
      // node:http never decodes content-encoding; an adapter whose library does must say `decoded: true`.
    };
  } catch (error) {
    // Whatever the transport reports after an abort (socket hang up, premature close), core's reason wins.
    if (signal.aborted) throw signal.reason;
    throw toCoreError(error, request);
  } finally {
    if (!streaming) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The unread response as a web stream, pulled only as the caller reads; cancelling it destroys the
 * response (the socket closes). `done` runs once it ends, fails or is cancelled.
 */
function streamBody(
  res: http.IncomingMessage,
  request: AdapterRequest,
  done: () => void,
): ReadableStream<Uint8Array> {
  const chunks = (res as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          done();
          throw request.signal.aborted ? request.signal.reason : toCoreError(error, request);
        }
        if (next.done) {
          done();
          controller.close();
        } else
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      },
      cancel() {
        done();
        res.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

// Repeated request headers become arrays, which node:http sends as separate fields.
function toNodeHeaders(request: AdapterRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of request.headers) {
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
  }
  // node:http frames a body itself only for methods it expects one on (POST, PUT, ...); a DELETE body
  // would go out with neither content-length nor chunked encoding.
  if (
    request.body instanceof Uint8Array &&
    !('content-length' in headers) &&
    !('transfer-encoding' in headers)
  ) {
    headers['content-length'] = String(request.body.byteLength);
  }
  return headers;
}

// rawHeaders is flat ([name, value, name, value]) and keeps repeated fields such as set-cookie apart.
function toPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

async function readBody(res: http.IncomingMessage, request: AdapterRequest): Promise<Uint8Array> {
  const limit = request.maxResponseBytes ?? Number.POSITIVE_INFINITY;
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving this loop early (limit, abort, error) destroys the response and its socket.
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      throw new ResponseTooLargeError(
        `Response body exceeds maxResponseBytes (${limit} bytes): ${request.method} ${request.url.href}`,
        { limit, request: { method: request.method, url: request.url.href } },
      );
    }
    chunks.push(chunk);
  }
  const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  // A plain Uint8Array view: callers compare bodies with Uint8Array and should not see Buffer's API.
  return new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
}
