import type { Adapter } from './adapter.js';
import type { CacheStore } from './cache/store.js';
import type { Interceptor } from './interceptor.js';
import type { Logger } from './logger.js';
import type { Callback } from './promise-objects.js';
import type { BodyInit, HeadersInit } from './request.js';
import type { RetryOptions } from './retry.js';
import type { OriginLimits, OriginsLimits } from './scheduler/limits.js';
import type { RateLimit } from './scheduler/rate-window.js';
import type { Timers } from './timers.js';

/** Options of `new Http(options)`. Each is validated once, at construction. */
export interface HttpOptions {
  /**
   * The transport: `undiciAdapter()` from `@asynchttp/undici`, `axiosAdapter()` from `@asynchttp/axios`,
   * or `fetchAdapter()` from `@asynchttp/fetch`.
   */
  adapter: Adapter;
  /**
   * How many requests run at once: a positive integer or `Infinity`. Also a settable property.
   * @default 5
   */
  maxWorkers?: number | undefined;
  /**
   * Milliseconds per attempt, counted from the moment a worker takes the request (queue wait excluded).
   * `Infinity` for none. Also a settable property.
   * @default 30000
   */
  timeout?: number | undefined;
  /**
   * Follow redirects (300, 301, 302, 303, 307, 308) for safe methods, and 303/308 for any method.
   * Also a settable property.
   * @default true
   */
  followRedirects?: boolean | undefined;
  /** Follow redirects for unsafe methods too (POST, PUT, ...). Also a settable property. @default false */
  followAllRedirects?: boolean | undefined;
  /**
   * How many redirects one request may follow before `RedirectLimitError`. Also a settable property.
   * @default 5
   */
  redirections?: number | undefined;
  /**
   * httplib2's option: failures become synthetic responses instead of errors (timeout → 408, an error
   * carrying a response → 500 whose reason is the message, any other → 400 with the message as body).
   * Cancellation and `ClosedError` still reject. Also a settable property.
   * @default false
   */
  forceExceptionToStatusCode?: boolean | undefined;
  /**
   * Retrying failed attempts: a number of retries, `false` for none, or `RetryOptions`. Idempotent
   * methods only, on connection errors and 408/429/500/502/503/504, with capped exponential backoff
   * and jitter, honouring `Retry-After`. A reused kept-alive connection the server had closed before
   * any response byte (as the adapter reports it) is retried once even when this is off.
   * @default { limit: 2 }
   */
  retry?: number | boolean | RetryOptions | undefined;
  /**
   * A decoded body may be at most this many times its encoded size (and at least 1 MiB), so a
   * decompression bomb fails with `ResponseTooLargeError` before it fills memory.
   * @default 200
   */
  maxCompressionRatio?: number | undefined;
  /**
   * An HTTP cache (RFC 9111, httplib2's `Http(".cache")`): `new MemoryCacheStore()`, or `FileCacheStore`
   * from `@asynchttp/core/file-cache`. Fresh hits are served without a network call or a worker slot,
   * and identical GETs in flight at once share one network request.
   * @default none
   */
  cache?: CacheStore | undefined;
  /** Default request headers; a request's own headers replace those of the same name. */
  headers?: HeadersInit | undefined;
  /**
   * Largest (decoded) body accepted, in bytes; a larger one fails with `ResponseTooLargeError`.
   * @default 67108864 (64 MiB)
   */
  maxResponseBytes?: number | undefined;
  /**
   * Where the log goes: any object with `debug`, `info`, `warn` and `error` (console, pino), or `false`.
   * @default a `debug` logger, namespace `asynchttp`, off unless `DEBUG=asynchttp*`
   */
  logger?: Logger | false | undefined;
  /**
   * Record where each `request()` was called, so an error raised later, where a promise object is read,
   * shows that call site in its stack and in the log. Costs a stack capture per request; turn it off
   * on hot paths that issue very many requests and do not need it.
   * @default true
   */
  captureCallSite?: boolean | undefined;
  /**
   * Layers around every exchange with the adapter (each attempt, redirect hop and credential round
   * trip), in array order: the first sees the request first and the response last. They sit below
   * redirects, the cache, retries and decoding, so they see what goes on the wire. Not an array of
   * functions: `TypeError`.
   * @default []
   */
  interceptors?: readonly Interceptor[] | undefined;
  /**
   * Rate limits for the whole client: at most `limit` exchanges begin within any `interval` ms (a
   * sliding window); several windows all hold. Every exchange counts (retries, redirect hops and
   * credential round trips). Also a settable property.
   * @default none
   */
  rateLimit?: RateLimit | readonly RateLimit[] | undefined;
  /**
   * Limits applied to each origin (`new URL(url).origin`) on its own: `maxWorkers` (requests of the
   * origin running at once, counted by their first hop) and `rateLimit`. Also a settable property.
   * @default none
   */
  perOrigin?: OriginLimits | undefined;
  /**
   * Limits of named origins, overriding `perOrigin` field by field; keys are absolute http(s) URLs
   * (`'https://api.example'`). Also a settable property.
   * @default none
   */
  origins?: OriginsLimits | undefined;
  /**
   * A 429 or 503 carrying `Retry-After` pauses new starts to that origin until then, capped by
   * `retry.maxRetryAfter` (RFC 9110 §10.2.3). Also a settable property.
   * @default true
   */
  pauseOnRetryAfter?: boolean | undefined;
  /** Timer functions, replaceable for tests. @default the runtime's */
  timers?: Timers | undefined;
}

/** Options of one `http.request(uri, options)`. */
export interface RequestOptions<T = undefined> {
  /** @default 'GET' */
  method?: string | undefined;
  headers?: HeadersInit | undefined;
  body?: BodyInit | undefined;
  /** A value sent as JSON, with `content-type: application/json` unless set. Not with `body`. */
  json?: unknown;
  /**
   * Runs in the worker slot after the exchange; its result becomes `data`. If it throws or rejects,
   * response, content and data reject with that value. The slot stays taken until the callback settles
   * (or the request is cancelled or times out, which frees it at once and ignores the late result), so
   * a callback that awaits another request of the same `Http` waits for a free worker: with every
   * worker busy that way it deadlocks until one is cancelled. Await such requests outside the
   * callback, or raise `maxWorkers`.
   */
  callback?: Callback<T> | undefined;
  /** Cancels the request when aborted, queued or running. */
  signal?: AbortSignal | undefined;
  /** Higher runs first among waiting requests. @default 0 */
  priority?: number | undefined;
  /** This request's timeout per attempt, in ms. @default the client's `timeout` */
  timeout?: number | undefined;
  /** This request's redirect limit. @default the client's `redirections` */
  redirections?: number | undefined;
  /** This request's retry policy. @default the client's `retry` */
  retry?: number | boolean | RetryOptions | undefined;
  /**
   * Stream the response body instead of reading it whole: `content` settles when the final response's
   * headers arrive (after redirects, credentials and retries) and `content.stream()` gives the decoded
   * body as a `ReadableStream<Uint8Array>`, not bounded by `maxResponseBytes`. The worker slot is held
   * until the body ends, fails or is cancelled; `timeout` then bounds each wait for the next chunk.
   * A streamed response is never stored in the cache.
   * @default false
   */
  stream?: boolean | undefined;
}

/** Options of `http.close()`. */
export interface CloseOptions {
  /**
   * Cancel the requests still waiting instead of running them, and the streamed bodies (`stream: true`)
   * still open, which would otherwise hold their worker slots until read. @default false
   */
  cancelPending?: boolean | undefined;
}

/**
 * Every option name `new Http()` knows. A name not listed is refused with a `TypeError` that names the
 * nearest known one, so a typo (`maxWorker`) does not pass silently. A new option goes here and in
 * `HttpOptions`; test/options.test-d.ts fails to compile when the two disagree.
 */
export const httpOptionNames = [
  'adapter',
  'maxWorkers',
  'timeout',
  'followRedirects',
  'followAllRedirects',
  'redirections',
  'forceExceptionToStatusCode',
  'retry',
  'maxCompressionRatio',
  'cache',
  'headers',
  'maxResponseBytes',
  'logger',
  'captureCallSite',
  'interceptors',
  'rateLimit',
  'perOrigin',
  'origins',
  'pauseOnRetryAfter',
  'timers',
] as const satisfies readonly (keyof HttpOptions)[];

/** Every option name `http.request()` knows; an unknown one fails the request with `InvalidRequestError`. */
export const requestOptionNames = [
  'method',
  'headers',
  'body',
  'json',
  'callback',
  'signal',
  'priority',
  'timeout',
  'redirections',
  'retry',
  'stream',
] as const satisfies readonly (keyof RequestOptions<unknown>)[];

const knownHttpOptions: ReadonlySet<string> = new Set(httpOptionNames);
const knownRequestOptions: ReadonlySet<string> = new Set(requestOptionNames);

/** A message naming the first option of `options` that `new Http()` does not know, or undefined. */
export function unknownHttpOption(options: object): string | undefined {
  return unknownOption(options, knownHttpOptions, httpOptionNames, 'new Http()');
}

/** A message naming the first option of `options` that `http.request()` does not know, or undefined. */
export function unknownRequestOption(options: object): string | undefined {
  return unknownOption(options, knownRequestOptions, requestOptionNames, 'http.request()');
}

function unknownOption(
  options: object,
  known: ReadonlySet<string>,
  names: readonly string[],
  where: string,
): string | undefined {
  // for...in, like the option reads themselves, sees inherited enumerable names too.
  for (const name in options) {
    if (known.has(name)) continue;
    return `Unknown option ${JSON.stringify(name)} for ${where}: did you mean ${JSON.stringify(nearest(name, names))}? (known: ${names.join(', ')})`;
  }
  return undefined;
}

/** The name in `names` closest to `name` by edit distance, ignoring case; the first of equals. */
export function nearest(name: string, names: readonly string[]): string {
  let best = names[0]!;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The defaults, in one place. */
export const defaults = {
  maxWorkers: 5,
  timeout: 30_000,
  maxResponseBytes: 64 * 1024 * 1024,
  redirections: 5,
  maxCompressionRatio: 200,
} as const;
