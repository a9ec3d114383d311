import {
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  abortTarget,
  InvalidRequestError,
  ResponseTooLargeError,
  readStream,
} from '@asynchttp/core';
import { toCoreError } from './errors.js';
import { hiddenEncoding, rawEncodingDispatcher } from './raw-encoding.js';
import { reasonPhrase } from './reasons.js';
import { trackStaleConnections } from './stale.js';

/** The `fetch` signature the adapter calls; the global one, or one bound to a custom agent, or a mock. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Options of `fetchAdapter()`. */
export interface FetchAdapterOptions {
  /**
   * The fetch to call, for instance one bound to a custom dispatcher (TLS, proxy) or a test double.
   * @default globalThis.fetch, looked up on each request
   */
  fetch?: FetchFunction | undefined;
  /**
   * Called once by `Http.close()`: the place to close whatever the injected fetch pools. The global
   * fetch's connections belong to the runtime, so by default there is nothing to close.
   */
  close?: (() => void | Promise<void>) | undefined;
  /**
   * `'manual'`: fetch hands every 3xx back and core follows it by its own rules (`followRedirects`,
   * `redirections`, the `previous` chain). A browser hides a 3xx from `'manual'` (an opaque response,
   * no status, no Location), so there a 3xx fails with `InvalidRequestError`. `'follow'`: the runtime
   * follows redirects itself (the only way to follow them in a browser); the response's `url` is where
   * it ended, and core's redirect rules and options do not apply.
   * @default 'manual'
   */
  redirect?: 'manual' | 'follow' | undefined;
}

/**
 * An asynchttp adapter on the WHATWG `fetch`, for any runtime that has one (Node, Deno, Bun, browsers,
 * workers). Redirects are never followed (`redirect: 'manual'`), statuses never throw, and the body is
 * read chunk by chunk and cut off past `maxResponseBytes`. On Node, encoded bodies come through raw and
 * core decodes them (strictly); elsewhere the runtime removes the content-encoding (`decoded: true`).
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { fetchAdapter } from '@asynchttp/fetch';
 *
 * const http = new Http({ adapter: fetchAdapter(), maxWorkers: 6 });
 * ```
 */
export function fetchAdapter(options: FetchAdapterOptions = {}): Adapter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('fetchAdapter(options) takes an options object');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetchAdapter({ fetch }) takes a function with the signature of fetch(input, init)');
  }
  if (options.close !== undefined && typeof options.close !== 'function') {
    throw new TypeError('fetchAdapter({ close }) takes a function');
  }
  // Tells core which dropped connections it may resend once (a reused socket, no response byte).
  trackStaleConnections();
  if (options.redirect !== undefined && options.redirect !== 'manual' && options.redirect !== 'follow') {
    throw new TypeError(
      `fetchAdapter({ redirect }) takes 'manual' or 'follow', got ${String(options.redirect)}`,
    );
  }
  return new FetchAdapter(options.fetch, options.close, options.redirect ?? 'manual');
}

const empty = new Uint8Array(0);

class FetchAdapter implements Adapter {
  readonly name = 'fetch';
  readonly #fetch: FetchFunction | undefined;
  readonly #close: (() => void | Promise<void>) | undefined;
  readonly #redirect: 'manual' | 'follow';

  constructor(
    fetch: FetchFunction | undefined,
    close: (() => void | Promise<void>) | undefined,
    redirect: 'manual' | 'follow',
  ) {
    this.#fetch = fetch;
    this.#close = close;
    this.#redirect = redirect;
  }

  async send(request: AdapterRequest): Promise<AdapterResponse> {
    const { method, body } = request;
    // Fetch gets a signal of its own, never core's: Node's fetch rewrites the stack of the reason it
    // rejects with (Error.captureStackTrace), which would cut the request's call site off core's error.
    const target = abortTarget(request);
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (target.aborted) abort();
    else target.addEventListener('abort', abort, { once: true });
    const init: RequestInit & { dispatcher?: unknown; duplex?: 'half' } = {
      method,
      headers: request.headers,
      body: requestBody(body),
      redirect: this.#redirect,
      signal: controller.signal,
      dispatcher: rawEncodingDispatcher(),
    };
    // A stream goes out as it is read: fetch needs half duplex for it (the response waits for the end).
    if (body !== undefined && !(body instanceof Uint8Array)) init.duplex = 'half';
    let streaming = false;
    if (init.body !== undefined && (method === 'GET' || method === 'HEAD')) {
      throw new InvalidRequestError(
        `fetch cannot send a body with ${method}: ${method} ${request.url.href}`,
        {
          request: { method, url: request.url.href },
        },
      );
    }
    try {
      // Looked up per call so a runtime or test that swaps globalThis.fetch later is honoured.
      const response = await (this.#fetch ?? globalThis.fetch)(request.url.href, init);
      if (response.type === 'opaqueredirect') throw hiddenRedirect(response, request);
      const headers = headerPairs(response.headers);
      // Where the dispatcher passed the encoded bytes through, core decodes them (strictly).
      const raw = restoreEncoding(headers);
      streaming = request.stream === true;
      return {
        status: response.status,
        reason: reasonPhrase(response.status, response.statusText),
        headers,
        body: streaming
          ? streamBody(response, request, () => target.removeEventListener('abort', abort), abort)
          : await readBody(response, request, raw),
        decoded: !raw,
        url: this.#redirect === 'follow' && response.url !== '' ? response.url : undefined,
      };
    } catch (error) {
      throw toCoreError(error, request);
    } finally {
      // A streamed body still honours the signal: the listener goes when the body ends.
      if (!streaming) target.removeEventListener('abort', abort);
    }
  }

  async close(): Promise<void> {
    await this.#close?.();
  }
}

/**
 * Header pairs from fetch's `Headers`. `getSetCookie()` keeps each set-cookie apart; fetch has
 * already joined every other repeated field with ', ' and sorted the names, which cannot be undone.
 */
function headerPairs(headers: Headers): [string, string][] {
  const pairs: [string, string][] = [];
  const cookies = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : undefined;
  // forEach rather than iteration: it needs no DOM.Iterable typings and every runtime has it.
  headers.forEach((value, name) => {
    if (cookies === undefined || name !== 'set-cookie') pairs.push([name, value]);
  });
  if (cookies !== undefined) for (const cookie of cookies) pairs.push(['set-cookie', cookie]);
  return pairs;
}

/** Puts `content-encoding` back under its name; `true` when it had been hidden from fetch. */
function restoreEncoding(headers: [string, string][]): boolean {
  let raw = false;
  for (const pair of headers) {
    if (pair[0] === hiddenEncoding) {
      pair[0] = 'content-encoding';
      raw = true;
    }
  }
  return raw;
}

/**
 * A browser answers `redirect: 'manual'` with an opaque response: no status, no Location, so core cannot
 * follow it nor return it. Not retried (an `InvalidRequestError`): every try would end the same.
 */
function hiddenRedirect(response: Response, request: AdapterRequest): InvalidRequestError {
  void response.body?.cancel().catch(ignore);
  const url = request.url.href;
  return new InvalidRequestError(
    `The server answered with a redirect, which this runtime's fetch hides from redirect: 'manual' ` +
      `(an opaque response, no status or Location; browsers do this): ${request.method} ${url}. ` +
      `Use fetchAdapter({ redirect: 'follow' }) to let the runtime follow redirects ` +
      `(core's redirect options then do not apply), or an adapter that sees them.`,
    { request: { method: request.method, url } },
  );
}

function requestBody(body: AdapterRequest['body']): RequestInit['body'] {
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array)
    return body.byteLength === 0 ? undefined : (body as Uint8Array<ArrayBuffer>);
  return body as ReadableStream<Uint8Array<ArrayBuffer>>;
}

/**
 * The unread body (`stream: true`), read only as the caller reads; its failures become core's errors,
 * and `done` runs once it ends, fails or is cancelled (cancelling it makes fetch drop the connection).
 */
function streamBody(
  response: Response,
  request: AdapterRequest,
  done: () => void,
  abort: () => void,
): ReadableStream<Uint8Array> {
  const body = response.body;
  if (body === null) {
    done();
    return new ReadableStream({ start: (controller) => controller.close() });
  }
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          done();
          throw toCoreError(error, request);
        }
        if (result.done) {
          done();
          controller.close();
        } else controller.enqueue(result.value);
      },
      cancel(reason) {
        done();
        // Cancelling fetch's body alone lets Node's fetch keep the connection reading; aborting closes it.
        abort();
        return reader.cancel(reason).catch(ignore);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The whole body, read through its stream so reading stops as soon as it passes the limit. */
async function readBody(response: Response, request: AdapterRequest, raw: boolean): Promise<Uint8Array> {
  const stream = response.body;
  if (stream === null) return empty;
  const limit = request.maxResponseBytes ?? Number.POSITIVE_INFINITY;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  // A declared length is no promise (fetch may have decoded the body), but past the limit it is enough.
  const encoded = !raw && response.headers.has('content-encoding');
  if (declared > limit && !encoded) {
    await stream.cancel().catch(ignore);
    throw tooLarge(request, limit);
  }
  // A declared, unencoded length within the limit is the whole body (fetch fails a body that differs
  // from it): one arrayBuffer() then beats reading chunk by chunk.
  if (declared <= limit && !encoded) return new Uint8Array(await response.arrayBuffer());
  const body = await readStream(stream, limit, () => tooLarge(request, limit));
  return body.byteLength === 0 ? empty : body;
}

function tooLarge(request: AdapterRequest, limit: number): ResponseTooLargeError {
  const url = request.url.href;
  return new ResponseTooLargeError(
    `Response body exceeds maxResponseBytes (${limit}): ${request.method} ${url}`,
    {
      request: { method: request.method, url },
      limit,
    },
  );
}

function ignore(): void {}
